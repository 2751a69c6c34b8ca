"""Augmentation transforms move a painted square where geometry says they should."""
import math

import numpy as np
import pytest
import torch
from scipy.ndimage import gaussian_filter

from pytracking.features import augmentation as augs


def painted(h=21, w=21, top=3, left=5, size=4, val=1.0):
    im = torch.zeros(1, 1, h, w)
    im[..., top:top + size, left:left + size] = val
    return im


def square_box(im, thr=0.5):
    ys, xs = np.nonzero(im[0, 0].numpy() > thr)
    return ys.min(), xs.min(), ys.max(), xs.max()


def centroid(im):
    a = im[0, 0].numpy()
    ys, xs = np.mgrid[:a.shape[0], :a.shape[1]]
    return (a * ys).sum() / a.sum(), (a * xs).sum() / a.sum()


def test_identity_pads_centred_and_shift_moves_content():
    im = painted()
    out = augs.Identity(output_sz=(25, 27))(im)
    assert out.shape == (1, 1, 25, 27)
    # padding of (4, 6) total split floor/ceil: +2 rows on top, +3 cols on the left
    assert square_box(out) == (5, 8, 8, 11)
    out = augs.Identity(output_sz=(25, 27), shift=(3, -2))(im)
    assert square_box(out) == (8, 6, 11, 9)
    # a tensor shift (as ATOM's get_rand_shift returns) works too
    out = augs.Identity(output_sz=(25, 27), shift=torch.tensor([3, -2]))(im)
    assert square_box(out) == (8, 6, 11, 9)
    # cropping to a smaller output
    out = augs.Identity(output_sz=(11, 11))(im)
    assert out.shape == (1, 1, 11, 11) and square_box(out) == (0, 0, 1, 3)


def test_translation_adds_to_shift():
    im = painted()
    out = augs.Translation((5, -3), output_sz=(21, 21), shift=(1, 1))(im)
    assert out.shape == (1, 1, 21, 21)
    assert square_box(out) == (3 + 6, 5 - 2, 6 + 6, 8 - 2)


def test_flips():
    im = painted()
    # columns 5..8 of a 21-wide image map to 20-8 .. 20-5 = 12..15
    assert square_box(augs.FlipHorizontal(output_sz=(21, 21))(im)) == (3, 12, 6, 15)
    assert square_box(augs.FlipVertical(output_sz=(21, 21))(im)) == (14, 5, 17, 8)
    a = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(augs.FlipHorizontal()(a), a[:, ::-1])


@pytest.mark.parametrize('angle', [90, -90, 30])
def test_rotate_moves_square_about_centre(angle):
    im = painted(top=3, left=8, size=5)  # centroid at (5, 10); image centre (10, 10)
    out = augs.Rotate(angle, output_sz=(21, 21))(im)
    assert out.shape == (1, 1, 21, 21)
    # counter-clockwise (as displayed, y down) by angle about (10, 10): offset (dy, dx) = (-5, 0) -> rotated
    t = math.radians(angle)
    dx, dy = 0.0, -5.0
    ex = 10 + math.cos(t) * dx + math.sin(t) * dy
    ey = 10 - math.sin(t) * dx + math.cos(t) * dy
    cy, cx = centroid(out)
    assert cy == pytest.approx(ey, abs=0.05) and cx == pytest.approx(ex, abs=0.05)


def test_rotate_non_square_uses_xy_centre():
    im = torch.zeros(1, 1, 11, 21)
    im[..., 5, 10] = 1  # the exact centre ((11-1)/2, (21-1)/2) stays put under any rotation
    out = augs.Rotate(90)(im)
    assert out.shape == (1, 1, 11, 21) and out[0, 0, 5, 10].item() == pytest.approx(1.0, abs=1e-5)


def test_blur_equals_zero_padded_gaussian_and_darkens_borders():
    rng = np.random.default_rng(0)
    img = rng.random((15, 17)).astype(np.float32)
    for sigma in [(2.0, 0.2), (1.2, 3.0)]:
        out = augs.Blur(sigma)(torch.tensor(img).view(1, 1, 15, 17))
        radius = [math.ceil(2 * s) for s in sigma]
        ref = gaussian_filter(img.astype(np.float64), sigma, mode='constant', cval=0.0, radius=radius)
        np.testing.assert_allclose(out[0, 0].numpy(), ref, atol=1e-5)
    ones = augs.Blur(2.0)(torch.ones(1, 3, 15, 15))
    assert ones.shape == (1, 3, 15, 15)
    assert ones[0, 0, 7, 7].item() == pytest.approx(1.0, abs=1e-5) and ones[0, 0, 0, 0].item() < 0.5


def test_scale_shrinks_about_centre():
    im = painted(h=20, w=20, top=6, left=6, size=8)  # centred square of side 8
    out = augs.Scale(2.0, output_sz=(20, 20))(im)
    assert out.shape == (1, 1, 20, 20)
    cy, cx = centroid(out)
    assert cy == pytest.approx(9.5, abs=1e-4) and cx == pytest.approx(9.5, abs=1e-4)
    assert out[0, 0].sum().item() == pytest.approx(16.0, rel=0.05)  # area 8x8 / 4
    with pytest.raises(NotImplementedError):
        augs.Scale(2.0)(torch.zeros(1, 1, 4, 6))


def test_affine_translation_matrix():
    im = painted()
    out = augs.Affine(np.array([[1., 0., 2.], [0., 1., -1.]]), output_sz=(21, 21))(im)
    assert square_box(out) == (2, 7, 5, 10)  # x += 2, y -= 1


def test_random_affine_flip_and_border_modes():
    im = painted()
    flip = augs.RandomAffine(p_flip=1.0, border_mode='replicate')
    # the flip matrix maps x -> W - x (not W-1-x), so the square moves one column further right
    assert square_box(flip(im)) == (3, 13, 6, 16)
    ident = augs.RandomAffine()
    assert torch.allclose(ident(im), im)
    with pytest.raises(ValueError):
        augs.RandomAffine(border_mode='reflect')
