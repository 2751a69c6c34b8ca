"""Joint transforms: boxes must stay on the pixels of the image content they describe.

The expectation is always measured from the transformed *image* (where the painted rectangle ended up), never
from the transform's own box output.
"""
import math
import random

import numpy as np
import pytest
import torch

from ltr.data import transforms as tfm

H, W = 40, 60
ROWS, COLS = (10, 19), (15, 29)  # inclusive pixel ranges of the painted rectangle


def painted_image(value=255):
    im = np.zeros((H, W, 3), dtype=np.uint8)
    im[ROWS[0]:ROWS[1] + 1, COLS[0]:COLS[1] + 1, :] = value
    return im


def painted_box():
    # pixel-centre convention: pixels c0..c1 are covered by [c0 - 0.5, c1 + 0.5]
    return torch.tensor([COLS[0] - 0.5, ROWS[0] - 0.5, COLS[1] - COLS[0] + 1, ROWS[1] - ROWS[0] + 1],
                        dtype=torch.float32)


def content_box(image, thresh=127):
    """Box of the pixels brighter than thresh, in the same pixel-centre convention."""
    arr = image.numpy().transpose(1, 2, 0) * 255 if torch.is_tensor(image) else image
    mask = arr[..., 0] > thresh if arr.ndim == 3 else arr > thresh
    ys, xs = np.nonzero(mask)
    return torch.tensor([xs.min() - 0.5, ys.min() - 0.5, xs.max() - xs.min() + 1, ys.max() - ys.min() + 1],
                        dtype=torch.float32)


def test_horizontal_flip_keeps_box_on_painted_pixels():
    im_out, box_out = tfm.Transform(tfm.RandomHorizontalFlip(probability=1.0))(image=painted_image(),
                                                                               bbox=painted_box())
    expected = content_box(im_out)
    # independent hand value: columns 15..29 of 60 map to 30..44
    assert expected.tolist() == [29.5, 9.5, 15.0, 10.0]
    assert torch.allclose(box_out, expected)


def test_flip_on_tensor_image_and_mask():
    im = torch.from_numpy(painted_image()).permute(2, 0, 1).float() / 255
    mask = torch.from_numpy(painted_image()[..., 0] > 0).float()
    im_out, box_out, mask_out = tfm.Transform(tfm.RandomHorizontalFlip(probability=1.0))(
        image=im, bbox=painted_box(), mask=mask)
    assert torch.allclose(box_out, content_box(im_out))
    assert torch.equal(mask_out, mask.flip(-1))


def test_joint_lists_share_the_roll_and_new_roll_false_reuses_it():
    flip = tfm.Transform(tfm.RandomHorizontalFlip(probability=0.5))
    random.seed(3)
    decisions = []
    for _ in range(12):
        ims, boxes = flip(image=[painted_image(), painted_image()], bbox=[painted_box(), painted_box()])
        flipped = [not torch.allclose(content_box(im), painted_box()) for im in ims]
        assert flipped[0] == flipped[1]  # joint: one decision for the whole list
        for im, b in zip(ims, boxes):
            assert torch.allclose(b, content_box(im))
        im2, b2 = flip(image=painted_image(), bbox=painted_box(), new_roll=False)
        assert (not torch.allclose(content_box(im2), painted_box())) == flipped[0]
        assert torch.allclose(b2, content_box(im2))
        decisions.append(flipped[0])
    assert any(decisions) and not all(decisions)


def test_non_joint_mode_rolls_per_element_and_returns_lists():
    flip = tfm.Transform(tfm.RandomHorizontalFlip(probability=0.5))
    random.seed(0)
    ims, boxes = flip(image=[painted_image() for _ in range(16)], bbox=[painted_box() for _ in range(16)],
                      joint=False)
    assert isinstance(ims, list) and isinstance(boxes, list) and len(ims) == 16
    flipped = [not torch.allclose(content_box(im), painted_box()) for im in ims]
    assert any(flipped) and not all(flipped)
    for im, b in zip(ims, boxes):
        assert torch.allclose(b, content_box(im))
    # a single input in non-joint mode gives a list (pytracking crashes here)
    only = flip(image=[painted_image(), painted_image()], joint=False)
    assert isinstance(only, list) and len(only) == 2


@pytest.mark.parametrize('seed', range(6))
def test_random_affine_box_follows_content(seed):
    random.seed(seed)
    aff = tfm.RandomAffine(p_flip=0.5, max_rotation=20.0, max_shear=0.1, max_scale=0.25, max_ar_factor=0.2,
                           border_mode='constant')
    im_out, box_out = tfm.Transform(aff)(image=painted_image(), bbox=painted_box())
    assert im_out.shape == (H, W, 3)
    expected = content_box(im_out)
    # bilinear resampling blurs edges by up to a pixel
    assert torch.allclose(box_out, expected, atol=1.5), (box_out, expected)


def test_random_affine_pad_amount_shifts_content_and_box():
    aff = tfm.RandomAffine(pad_amount=7)
    im_out, box_out = tfm.Transform(aff)(image=painted_image(), bbox=painted_box())
    assert im_out.shape == (H + 14, W + 14, 3)
    assert torch.allclose(box_out, painted_box() + torch.tensor([7.0, 7.0, 0.0, 0.0]))
    assert torch.allclose(content_box(im_out), box_out)


def test_random_affine_mask_moves_with_image():
    random.seed(1)
    aff = tfm.RandomAffine(p_flip=1.0, max_rotation=10.0, max_scale=0.2)
    mask = (painted_image()[..., 0] > 0).astype(np.uint8)
    im_out, mask_out = tfm.Transform(aff)(image=painted_image(), mask=mask)
    assert mask_out.dtype == np.uint8
    agree = ((im_out[..., 0] > 127) == (mask_out > 0)).mean()
    assert agree > 0.98


def test_random_affine_replicate_border_is_used():
    # pytracking's border_mode='replicate' was ignored; a shrunk constant image must keep its value everywhere
    im = np.full((20, 20, 3), 100, dtype=np.uint8)
    args = (False, 0.0, (0.0, 0.0), (0.5, 0.5))
    constant = tfm.RandomAffine(border_mode='constant').transform_image(im, *args)
    replicate = tfm.RandomAffine(border_mode='replicate').transform_image(im, *args)
    assert constant[0, 0, 0] == 0
    assert (replicate == 100).all()
    with pytest.raises(ValueError, match='border_mode'):
        tfm.RandomAffine(border_mode='reflect')


def test_random_blur_blurs_with_the_gaussian_kernel():
    sigma = 1.0
    im = torch.zeros(1, 15, 15)
    im[0, 7, 7] = 1.0
    out = tfm.Transform(tfm.RandomBlur(sigma, probability=1.0))(image=im)
    taps = [math.exp(-x * x / (2 * sigma ** 2)) for x in range(-2, 3)]  # half size ceil(2*sigma) = 2
    s = sum(taps)
    assert out.shape == im.shape
    assert out[0, 7, 7].item() == pytest.approx((taps[2] / s) ** 2, rel=1e-5)
    assert out[0, 7, 8].item() == pytest.approx(taps[2] * taps[3] / s ** 2, rel=1e-5)
    assert out[0, 7, 10].item() == 0.0
    assert out.sum().item() == pytest.approx(1.0, rel=1e-5)
    never = tfm.Transform(tfm.RandomBlur(sigma, probability=0.0))(image=im)
    assert torch.equal(never, im)


def test_grayscale_numpy_and_tensor():
    rgb = np.zeros((4, 5, 3), dtype=np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 200, 100, 50
    gray = tfm.Transform(tfm.ToGrayscale(probability=1.0))(image=rgb)
    expected = round(0.299 * 200 + 0.587 * 100 + 0.114 * 50)
    assert gray.shape == (4, 5, 3)
    assert (np.abs(gray.astype(int) - expected) <= 1).all()
    t = torch.from_numpy(rgb).permute(2, 0, 1).float() / 255
    gray_t = tfm.ToGrayscale(probability=1.0)(image=t)['image']
    assert gray_t.shape == t.shape
    assert torch.allclose(gray_t, torch.full_like(t, expected / 255), atol=2 / 255)
    keep = tfm.Transform(tfm.ToGrayscale(probability=0.0))(image=rgb)
    assert np.array_equal(keep, rgb)


def test_to_bgr_reverses_channels():
    rgb = np.random.RandomState(0).randint(0, 255, (3, 4, 3)).astype(np.uint8)
    assert np.array_equal(tfm.Transform(tfm.ToBGR())(image=rgb), rgb[..., ::-1])


def test_to_tensor_jitter_and_normalize():
    im = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 10
    t, box = tfm.Transform(tfm.ToTensor())(image=im, bbox=painted_box())
    assert t.shape == (3, 2, 3) and t.dtype == torch.float32
    assert t[1, 0, 2].item() == pytest.approx(im[0, 2, 1] / 255)
    assert torch.equal(box, painted_box())

    np.random.seed(0)
    jit = tfm.ToTensorAndJitter(brightness_jitter=0.2)
    out = tfm.Transform(jit)(image=im)
    ratio = out[im.transpose(2, 0, 1) > 0] / torch.from_numpy(im.transpose(2, 0, 1)[im.transpose(2, 0, 1) > 0] / 255.0)
    assert torch.allclose(ratio, ratio[0].expand_as(ratio), atol=1e-4)
    assert 0.8 <= ratio[0].item() <= 1.2

    norm = tfm.Transform(tfm.ToTensor(), tfm.Normalize(mean=[0.5, 0.5, 0.5], std=[0.25, 0.25, 0.25]))(image=im)
    assert norm[0, 1, 1].item() == pytest.approx((im[1, 1, 0] / 255 - 0.5) / 0.25, rel=1e-5)


def test_to_tensor_converts_masks():
    mask = np.array([[0, 1], [1, 0]], dtype=np.uint8)
    out = tfm.Transform(tfm.ToTensor())(mask=mask)
    assert torch.is_tensor(out) and out.tolist() == [[0, 1], [1, 0]]


def test_bad_input_names_are_rejected():
    with pytest.raises(ValueError, match='Incorrect input "img"'):
        tfm.Transform(tfm.ToTensor())(img=painted_image())


def test_coords_and_bboxes_inputs():
    flip = tfm.Transform(tfm.RandomHorizontalFlip(probability=1.0))
    coords = torch.tensor([[3.0, 7.0], [0.0, 59.0]])  # rows (y, x)
    _, coords_out = flip(image=painted_image(), coords=coords)
    assert coords_out.tolist() == [[3.0, 7.0], [59.0, 0.0]]  # x -> W-1-x with W = 60
    boxes = torch.stack([painted_box(), torch.tensor([-0.5, -0.5, 2.0, 3.0])])
    _, boxes_out = flip(image=painted_image(), bboxes=boxes)
    assert boxes_out.tolist() == [[29.5, 9.5, 15.0, 10.0], [57.5, -0.5, 2.0, 3.0]]
