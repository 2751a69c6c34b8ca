"""The shared image maths (`ltr.data.image_ops`): ltr's training transforms and pytracking's first-frame
augmentations draw the same affine parameters, build the same matrix and blur with the same kernels."""
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ltr.data import image_ops
from ltr.data import transforms as tfm
from pytracking.features import augmentation as augs


def test_both_random_affines_draw_the_same_parameters():
    args = dict(p_flip=0.5, max_rotation=20.0, max_shear=0.1, max_scale=0.25, max_ar_factor=0.2)
    random.seed(3)
    ltr_roll = tfm.RandomAffine(**args).roll()
    random.seed(3)
    pt_roll = augs.RandomAffine(**args).roll_values  # rolled once at construction
    assert ltr_roll[:4] == pt_roll
    assert ltr_roll[4] == (0.0, 0.0)  # scale_center=0 draws nothing more


def test_both_random_affines_warp_a_numpy_image_identically():
    rng = np.random.RandomState(0)
    img = (rng.rand(23, 31, 3) * 255).astype(np.uint8)
    args = dict(p_flip=1.0, max_rotation=15.0, max_shear=0.05, max_scale=0.2, max_ar_factor=0.1,
                border_mode='replicate')
    random.seed(7)
    pt = augs.RandomAffine(**args)
    ltr = tfm.RandomAffine(**args)
    assert np.array_equal(pt(img), ltr.transform_image(img, *pt.roll_values))


def test_affine_matrix_identity_flip_and_pad():
    assert np.allclose(image_ops.affine_matrix((10, 20), False, 0.0, (0.0, 0.0), (1.0, 1.0)),
                       [[1, 0, 0], [0, 1, 0]])
    assert np.allclose(image_ops.affine_matrix((10, 20), True, 0.0, (0.0, 0.0), (1.0, 1.0), pad_amount=3),
                       [[-1, 0, 23], [0, 1, 3]])


def test_border_flag_names_the_caller():
    with pytest.raises(ValueError, match=r"Blur\(border_mode\).*'reflect'"):
        image_ops.border_flag('reflect', where='Blur')


def test_both_blurs_agree_and_kernels_are_normalised():
    fs, (ky, kx) = image_ops.gaussian_blur_kernels((2.0, 0.5))
    assert fs == [4, 1] and ky.shape == (1, 1, 9, 1) and kx.shape == (1, 1, 1, 3)
    assert torch.isclose(ky.sum(), torch.tensor(1.0)) and torch.isclose(kx.sum(), torch.tensor(1.0))
    im = torch.rand(1, 3, 15, 17)
    assert torch.equal(augs.Blur((2.0, 0.5))(im)[0], tfm.Blur((2.0, 0.5)).transform_image(im[0]))


@pytest.mark.parametrize('sigma', [(2, 0.2), (0.2, 2), (3, 1), (1, 3), (2, 2)])   # ATOM's first-frame blurs
def test_blur_is_the_zero_padded_conv2d(sigma):
    """The shifted-sum blur against the two F.conv2d passes it replaced (the same sum; on oneDNN the same floats,
    which only rounding could make differ elsewhere)."""
    fs, (ky, kx) = image_ops.gaussian_blur_kernels(sigma)
    im = torch.rand(2, 3, 40, 47) * 255
    ref = F.conv2d(im.reshape(-1, 1, 40, 47), ky, padding=(fs[0], 0))
    ref = F.conv2d(ref, kx, padding=(0, fs[1])).reshape(im.shape)
    torch.testing.assert_close(image_ops.separable_blur(im, fs, (ky, kx)), ref, rtol=0, atol=1e-4)
    im64 = im[0].double()   # 3-D, float64: the kernels follow the image's dtype
    torch.testing.assert_close(image_ops.separable_blur(im64, fs, (ky, kx)), ref[0].double(), rtol=0, atol=1e-4)
