"""sample_patch & co. against manual numpy crops (np.pad 'edge' = replicate) and OpenCV resizing."""
import cv2
import numpy as np
import pytest
import torch

from pytracking.features import augmentation as augs
from pytracking.features.preprocessing import (
    numpy_to_torch,
    sample_patch,
    sample_patch_multiscale,
    sample_patch_transformed,
    torch_to_numpy,
)


@pytest.fixture
def image():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(40, 50, 3)).astype(np.uint8)


def manual_crop(img, top, left, h, w):
    """Rows top..top+h-1, cols left..left+w-1 of an HxWxC array, edge pixels replicated outside."""
    p = 100
    padded = np.pad(img, ((p, p), (p, p), (0, 0)), mode='edge')
    return padded[top + p: top + p + h, left + p: left + p + w]


def test_numpy_torch_roundtrip(image):
    t = numpy_to_torch(image)
    assert t.shape == (1, 3, 40, 50) and t.dtype == torch.float32
    assert t[0, 2, 5, 7].item() == image[5, 7, 2]  # no rescaling
    np.testing.assert_array_equal(torch_to_numpy(t), image.astype(np.float32))
    assert numpy_to_torch(image[:, :, 0]).shape == (1, 1, 40, 50)
    with pytest.raises(ValueError):
        numpy_to_torch(np.zeros((2, 2, 2, 2)))
    with pytest.raises(TypeError):
        numpy_to_torch([[1, 2]])


def test_odd_crop_is_centred_at_truncated_position(image):
    im = numpy_to_torch(image)
    patch, coord = sample_patch(im, torch.tensor([20.7, 30.2]), torch.tensor([11., 9.]))
    # pos.long() = (20, 30): rows 15..25, cols 26..34
    np.testing.assert_array_equal(torch_to_numpy(patch), manual_crop(image, 15, 26, 11, 9).astype(np.float32))
    # patch_coord keeps pytracking's float corners: br = pos + sz/2 + 1 (not truncated)
    assert coord.tolist() == [[15., 26., 26.5, 35.5]]


def test_even_crop_quirk_and_fixes(image):
    im = numpy_to_torch(image)
    pos, sz = torch.tensor([20.7, 30.2]), torch.tensor([10., 10.])
    # pytracking: tl = 20 - 4.5 = 15.5 -> 15 (truncated), br = 20 + 5 + 1 = 26: 11 rows for a 10-pixel crop
    patch, coord = sample_patch(im, pos, sz)
    assert patch.shape[-2:] == (11, 11)
    np.testing.assert_array_equal(torch_to_numpy(patch), manual_crop(image, 15, 25, 11, 11).astype(np.float32))
    assert coord.tolist() == [[15.5, 25.5, 26., 36.]]
    # near the top-left border the negative corner truncates the other way: exactly 10 rows
    patch, _ = sample_patch(im, torch.tensor([2., 3.]), sz)
    assert patch.shape[-2:] == (10, 10)
    np.testing.assert_array_equal(torch_to_numpy(patch), manual_crop(image, -2, -1, 10, 10).astype(np.float32))
    # exact_size: always 10, rows pos-4 .. pos+5
    patch, _ = sample_patch(im, pos, sz, exact_size=True)
    np.testing.assert_array_equal(torch_to_numpy(patch), manual_crop(image, 16, 26, 10, 10).astype(np.float32))
    # round_pos: centre (21, 30)
    patch, _ = sample_patch(im, pos, torch.tensor([11., 9.]), round_pos=True)
    np.testing.assert_array_equal(torch_to_numpy(patch), manual_crop(image, 16, 26, 11, 9).astype(np.float32))


def test_replicate_padding_outside_and_fully_outside(image):
    im = numpy_to_torch(image)
    patch, _ = sample_patch(im, torch.tensor([1., 48.]), torch.tensor([7., 9.]))
    np.testing.assert_array_equal(torch_to_numpy(patch), manual_crop(image, -2, 44, 7, 9).astype(np.float32))
    # a window completely outside the image is filled with the nearest edge pixels (no crash)
    # (rows: tl = -32, br = -30 + 2.5 + 1 = -26.5 truncates toward zero to -26, so 6 rows -- pytracking's quirk)
    patch, _ = sample_patch(im, torch.tensor([-30., 80.]), torch.tensor([5., 5.]))
    np.testing.assert_array_equal(torch_to_numpy(patch), manual_crop(image, -32, 78, 6, 5).astype(np.float32))
    patch, _ = sample_patch(im, torch.tensor([-30., 80.]), torch.tensor([5., 5.]), exact_size=True)
    np.testing.assert_array_equal(torch_to_numpy(patch), manual_crop(image, -32, 78, 5, 5).astype(np.float32))
    # masks are zero padded
    patch, _ = sample_patch(im, torch.tensor([1., 48.]), torch.tensor([7., 9.]), is_mask=True)
    assert patch[0, :, 0].abs().sum() == 0 and patch[0, :, :, -1].abs().sum() == 0


def test_crop_windows_inside_across_every_edge_and_outside_match_numpy(image):
    # The crop takes a slice (+ F.pad) where the window overlaps the image and a gather elsewhere: windows at
    # every offset against np.pad('edge'), and zero padding ('constant', masks) against a zero-padded array.
    from pytracking.features.preprocessing import _crop_replicate
    im = numpy_to_torch(image)
    zero_padded = np.pad(image, ((100, 100), (100, 100), (0, 0)))
    for top in (-60, -8, -3, 0, 5, 30, 37, 45):
        for left in (-70, -6, 0, 11, 44, 49, 60):
            for h, w in ((5, 7), (11, 3), (61, 71)):
                tl, br = torch.tensor([top, left]), torch.tensor([top + h, left + w])
                np.testing.assert_array_equal(torch_to_numpy(_crop_replicate(im, tl, br, 'replicate')),
                                              manual_crop(image, top, left, h, w).astype(np.float32))
                np.testing.assert_array_equal(torch_to_numpy(_crop_replicate(im, tl, br, 'constant')),
                                              zero_padded[top + 100:top + 100 + h, left + 100:left + 100 + w])


def test_resize_matches_opencv_bilinear(image):
    im = numpy_to_torch(image)
    patch, _ = sample_patch(im, torch.tensor([20., 25.]), torch.tensor([9., 9.]), torch.tensor([18., 18.]))
    assert patch.shape == (1, 3, 18, 18)
    crop = manual_crop(image, 16, 21, 9, 9).astype(np.float32)
    ref = cv2.resize(crop, (18, 18), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_allclose(torch_to_numpy(patch), ref, atol=1e-3)


def test_predownsampling_subsamples_with_stride():
    # image = 1000*row + col: a strided subsample is recognisable from its values
    r, c = np.meshgrid(np.arange(60), np.arange(60), indexing='ij')
    img = (1000 * r + c).astype(np.float32)[:, :, None]
    im = numpy_to_torch(img)
    patch, coord = sample_patch(im, torch.tensor([30., 31.]), torch.tensor([40., 40.]), torch.tensor([10., 10.]))
    # resize factor 4 -> df = int(3.9) = 3; offset = pos % 3 = (0, 1): kept pixels are rows 0,3,.. cols 1,4,..
    # new pos = (10, 10); crop size round(40/3) = 13: tl = 10-6 = 4, br = 10+6.5+1 = 17.5
    assert coord.tolist() == [[3 * 4.0, 3 * 4.0, 3 * 17.5, 3 * 17.5]]
    assert patch.shape == (1, 1, 10, 10)
    # check the content before resizing with output_sz=None path on the subsampled grid
    sub = img[0::3, 1::3]
    patch_nr, _ = sample_patch(numpy_to_torch(sub), torch.tensor([10., 10.]), torch.tensor([13., 13.]))
    ref = cv2.resize(torch_to_numpy(patch_nr), (10, 10), interpolation=cv2.INTER_LINEAR)
    # torch's bilinear (no antialias) equals OpenCV's INTER_LINEAR for this integer-ratio-free case only roughly
    assert np.abs(torch_to_numpy(patch)[..., 0] - ref).max() < 1e-2 * 1000


def test_inside_mode_shifts_crop_into_image(image):
    im = numpy_to_torch(image)
    patch, coord = sample_patch(im, torch.tensor([2., 2.]), torch.tensor([11., 11.]), mode='inside')
    # shifted so that the crop starts at the image corner
    assert coord[0, :2].tolist() == [0., 0.]
    np.testing.assert_array_equal(torch_to_numpy(patch), image[:11, :11].astype(np.float32))
    with pytest.raises(ValueError, match='mode'):
        sample_patch(im, torch.tensor([2., 2.]), torch.tensor([11., 11.]), mode='wrap')


def test_multiscale_and_transformed(image):
    im = numpy_to_torch(image)
    pos, img_sz = torch.tensor([20., 25.]), torch.tensor([12., 12.])
    patches, coords = sample_patch_multiscale(im, pos, [1.0, 2.0], img_sz)
    assert patches.shape == (2, 3, 12, 12) and coords.shape == (2, 4)
    single, _ = sample_patch(im, pos, 2.0 * img_sz, img_sz)
    assert torch.equal(patches[1:], single)
    tr = sample_patch_transformed(im, pos, 1.0, img_sz, [augs.Identity(), augs.FlipHorizontal()])
    assert tr.shape == (2, 3, 12, 12)
    assert torch.equal(tr[0:1], patches[0:1]) and torch.equal(tr[1:2], patches[0:1].flip(3))
