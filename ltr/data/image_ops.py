"""Image maths shared by ltr's training transforms (`ltr.data.transforms`) and pytracking's first-frame
augmentations (`pytracking.features.augmentation`): the random affine warp (its random draws, its 2x3 matrix,
its border flag) and the separable Gaussian blur.

Both `RandomAffine` and both `Blur` classes keep their pytracking names and signatures in those two modules; this
module only holds the arithmetic they have in common, so that the two copies cannot drift apart. It depends on
numpy, OpenCV and torch only (no ltr or pytracking imports), so both sides may import it.
"""
import math
import random

import cv2 as cv
import numpy as np
import torch
import torch.nn.functional as F

_BORDER_FLAGS = {'constant': cv.BORDER_CONSTANT, 'replicate': cv.BORDER_REPLICATE}


def border_flag(border_mode, where='RandomAffine'):
    """OpenCV border flag for `border_mode`.

    args:
        border_mode - 'constant' (zeros outside the image) or 'replicate' (edge pixels repeated).
        where - name used in the error message.
    returns:
        cv.BORDER_CONSTANT or cv.BORDER_REPLICATE; ValueError for any other mode.
    """
    try:
        return _BORDER_FLAGS[border_mode]
    except (KeyError, TypeError):
        raise ValueError("{}(border_mode): expected 'constant' or 'replicate', got {!r}".format(
            where, border_mode)) from None


def roll_affine(p_flip, max_rotation, max_shear, max_scale, max_ar_factor):
    """Draw the parameters of a random affine warp with Python's `random` (6 draws, in pytracking's order:
    flip, rotation, shear x, shear y, aspect ratio, scale).

    returns:
        (do_flip, theta in degrees, (shear_x, shear_y), (scale_x, scale_y)) where scale_y = scale_x * aspect.
    """
    do_flip = random.random() < p_flip
    theta = random.uniform(-max_rotation, max_rotation)
    shear_x = random.uniform(-max_shear, max_shear)
    shear_y = random.uniform(-max_shear, max_shear)
    ar_factor = np.exp(random.uniform(-max_ar_factor, max_ar_factor))
    scale_factor = np.exp(random.uniform(-max_scale, max_scale))
    return do_flip, theta, (shear_x, shear_y), (scale_factor, scale_factor * ar_factor)


def affine_matrix(image_shape, do_flip, theta, shear_values, scale_factors, pad_amount=0, scale_center=(0.0, 0.0)):
    """2x3 matrix (source pixel -> output pixel, OpenCV convention) of the random affine warp.

    Optional horizontal flip, then shear and rotation (degrees) about the image centre (W/2, H/2), then scaling
    about the centre shifted by `scale_center` (a fraction of the image size), then a shift of `pad_amount`.

    args:
        image_shape - (H, W, ...) of the source image.
        do_flip, theta, shear_values, scale_factors - as returned by `roll_affine`.
        pad_amount - the output is this many pixels larger on every side.
        scale_center - (dx, dy) offset of the scaling centre, in units of the image width / height.
    returns:
        2x3 float64 numpy array.
    """
    im_h, im_w = image_shape[0], image_shape[1]
    t_mat = np.identity(3)
    if do_flip:
        t_mat[0, 0] = -1.0
        t_mat[0, 2] = im_w

    t_rot = cv.getRotationMatrix2D((im_w * 0.5, im_h * 0.5), theta, 1.0)
    t_rot = np.concatenate((t_rot, np.array([0.0, 0.0, 1.0]).reshape(1, 3)))

    t_shear = np.array([[1.0, shear_values[0], -shear_values[0] * 0.5 * im_w],
                        [shear_values[1], 1.0, -shear_values[1] * 0.5 * im_h],
                        [0.0, 0.0, 1.0]])

    cx = (0.5 + scale_center[0]) * im_w
    cy = (0.5 + scale_center[1]) * im_h
    t_scale = np.array([[scale_factors[0], 0.0, (1.0 - scale_factors[0]) * cx],
                        [0.0, scale_factors[1], (1.0 - scale_factors[1]) * cy],
                        [0.0, 0.0, 1.0]])

    t_mat = t_scale @ t_rot @ t_shear @ t_mat
    t_mat[0, 2] += pad_amount
    t_mat[1, 2] += pad_amount
    return t_mat[:2, :]


def gaussian_blur_kernels(sigma):
    """Separable, normalised Gaussian kernels.

    args:
        sigma - (sigma_y, sigma_x).
    returns:
        (filter_size, [1x1xKx1 kernel, 1x1x1xK kernel]) with filter_size = [ceil(2*sigma_y), ceil(2*sigma_x)]
        the half-sizes (K = 2*half-size + 1), float32.
    """
    filter_size = [math.ceil(2 * s) for s in sigma]
    x_coord = [torch.arange(-sz, sz + 1, dtype=torch.float32) for sz in filter_size]
    kernels = [torch.exp(-(x ** 2) / (2 * s ** 2)) for x, s in zip(x_coord, sigma)]
    return filter_size, [kernels[0].view(1, 1, -1, 1) / kernels[0].sum(),
                         kernels[1].view(1, 1, 1, -1) / kernels[1].sum()]


def separable_blur(image, filter_size, kernels):
    """Blur the last two dims of `image` with `gaussian_blur_kernels`' output: a vertical then a horizontal
    convolution with zero padding (the borders darken, as in pytracking).

    Each pass is a sum of shifted copies of the zero-padded image, tap by tap with fused multiply-adds: the sum
    F.conv2d computes, in the order oneDNN's CPU convolution accumulates it (the same floats on this project's
    machines, tested against F.conv2d), without conv2d's slow one-channel path (a 3x576x576 ATOM augmentation
    patch, 2 threads: 58 -> 3 ms per blur).

    args:
        image - floating tensor [..., H, W]; the kernels are moved to its device and dtype.
    returns:
        tensor of the same shape and dtype.
    """
    h, w = image.shape[-2:]
    fy = kernels[0].to(image.device, image.dtype).flatten()
    fx = kernels[1].to(image.device, image.dtype).flatten()
    im = _shifted_sum(F.pad(image, (0, 0, filter_size[0], filter_size[0])), fy, -2, h)
    return _shifted_sum(F.pad(im, (filter_size[1], filter_size[1])), fx, -1, w)


def _shifted_sum(padded, taps, dim, size):
    """sum_k taps[k] * padded.narrow(dim, k, size), accumulated in k order with fused multiply-adds."""
    out = padded.narrow(dim, 0, size) * taps[0]
    for k in range(1, taps.numel()):
        out.addcmul_(padded.narrow(dim, k, size), taps[k])
    return out
