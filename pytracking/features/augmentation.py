"""Image transforms used to augment the first frame (ATOM/DiMP initial training samples).

Each transform maps a 1xCxHxW image tensor to a transformed tensor and then pads (replicate) or crops it to
``output_sz`` with ``crop_to_output``. ``shift`` = (dy, dx) moves the content by that many pixels in the output:
a positive shift moves it down/right.

The affine and blur maths are shared with ltr's training transforms (`ltr.data.image_ops`).
"""

import math

import cv2 as cv
import numpy as np
import torch
import torch.nn.functional as F

from ltr.data.image_ops import affine_matrix, border_flag, gaussian_blur_kernels, roll_affine, separable_blur
from pytracking.features.preprocessing import numpy_to_torch, torch_to_numpy


def _to_int(v):
    return int(v.item()) if isinstance(v, torch.Tensor) else int(v)


def _per_image_numpy(image, fn):
    """Apply a numpy HxWxC function to every image of a NxCxHxW tensor; returns a tensor."""
    return torch.cat([numpy_to_torch(fn(np.ascontiguousarray(torch_to_numpy(image[i:i + 1]))))
                      for i in range(image.shape[0])]).to(image.device)


class Transform:
    """Base class: holds the output size and shift, and pads/crops to the output."""

    def __init__(self, output_sz=None, shift=None):
        self.output_sz = output_sz
        self.shift = (0, 0) if shift is None else shift

    def __call__(self, image, is_mask=False):
        raise NotImplementedError

    def crop_to_output(self, image):
        """Replicate-pad or crop ``image`` to ``output_sz``, centred (extra pixel at the bottom/right),
        displaced by ``shift``."""
        if not isinstance(image, torch.Tensor):
            raise NotImplementedError('crop_to_output: only tensors are supported')
        imsz = image.shape[2:]
        if self.output_sz is None:
            pad_h = 0
            pad_w = 0
        else:
            pad_h = (_to_int(self.output_sz[0]) - imsz[0]) / 2
            pad_w = (_to_int(self.output_sz[1]) - imsz[1]) / 2

        sy, sx = _to_int(self.shift[0]), _to_int(self.shift[1])
        pad_left = math.floor(pad_w) + sx
        pad_right = math.ceil(pad_w) - sx
        pad_top = math.floor(pad_h) + sy
        pad_bottom = math.ceil(pad_h) - sy

        return F.pad(image, (pad_left, pad_right, pad_top, pad_bottom), 'replicate')


class Identity(Transform):
    """No transformation (only pad/crop to the output, with the shift)."""

    def __call__(self, image, is_mask=False):
        return self.crop_to_output(image)


class FlipHorizontal(Transform):
    """Mirror left-right."""

    def __call__(self, image, is_mask=False):
        if isinstance(image, torch.Tensor):
            return self.crop_to_output(image.flip((3,)))
        return np.fliplr(image)


class FlipVertical(Transform):
    """Mirror top-bottom."""

    def __call__(self, image: torch.Tensor, is_mask=False):
        if isinstance(image, torch.Tensor):
            return self.crop_to_output(image.flip((2,)))
        return np.flipud(image)


class Translation(Transform):
    """Translate by ``translation`` = (dy, dx) pixels (added to the shift)."""

    def __init__(self, translation, output_sz=None, shift=None):
        super().__init__(output_sz, shift)
        self.shift = (self.shift[0] + translation[0], self.shift[1] + translation[1])

    def __call__(self, image, is_mask=False):
        if isinstance(image, torch.Tensor):
            return self.crop_to_output(image)
        raise NotImplementedError('Translation: only tensors are supported')


class Scale(Transform):
    """Resize a square image by 1/scale_factor (bilinear); the size change is made even so that the result stays
    centred."""

    def __init__(self, scale_factor, output_sz=None, shift=None):
        super().__init__(output_sz, shift)
        self.scale_factor = scale_factor

    def __call__(self, image, is_mask=False):
        if not isinstance(image, torch.Tensor):
            raise NotImplementedError('Scale: only tensors are supported')
        h_orig, w_orig = image.shape[2:]
        if h_orig != w_orig:
            raise NotImplementedError('Scale: only square images are supported, got {}x{}'.format(h_orig, w_orig))

        h_new = round(h_orig / self.scale_factor)
        h_new += (h_new - h_orig) % 2
        w_new = round(w_orig / self.scale_factor)
        w_new += (w_new - w_orig) % 2

        image_resized = F.interpolate(image, [h_new, w_new], mode='bilinear', align_corners=False)
        return self.crop_to_output(image_resized)


# Kept for pytracking API compatibility; not on ATOM's path.
class Affine(Transform):
    """Affine warp with a 2x3 matrix (OpenCV convention, source -> destination), replicate border."""

    def __init__(self, transform_matrix, output_sz=None, shift=None):
        super().__init__(output_sz, shift)
        self.transform_matrix = transform_matrix

    def __call__(self, image, is_mask=False):
        if isinstance(image, torch.Tensor):
            return self.crop_to_output(_per_image_numpy(image, lambda im: self(im, is_mask)))
        return cv.warpAffine(image, np.asarray(self.transform_matrix, dtype=np.float64), image.shape[1::-1],
                             borderMode=cv.BORDER_REPLICATE)


class Rotate(Transform):
    """Rotate by ``angle`` degrees (counter-clockwise as displayed) about the image centre ((size-1)/2),
    bilinear, replicate border.

    Fix vs pytracking: the centre is given to OpenCV as (x, y); pytracking passed (row, col), which only matters
    for non-square images (ATOM only rotates square patches, so its results are unchanged).
    """

    def __init__(self, angle, output_sz=None, shift=None):
        super().__init__(output_sz, shift)
        self.angle = math.pi * angle / 180

    def __call__(self, image, is_mask=False):
        if isinstance(image, torch.Tensor):
            return self.crop_to_output(_per_image_numpy(image, lambda im: self(im, is_mask)))
        c = (np.array(image.shape[1::-1], dtype=np.float64).reshape(2, 1) - 1) / 2  # (x, y) centre
        R = np.array([[math.cos(self.angle), math.sin(self.angle)],
                      [-math.sin(self.angle), math.cos(self.angle)]])
        H = np.concatenate([R, c - R @ c], 1)
        flags = cv.INTER_NEAREST if is_mask else cv.INTER_LINEAR
        return cv.warpAffine(image, H, image.shape[1::-1], flags=flags, borderMode=cv.BORDER_REPLICATE)


class Blur(Transform):
    """Separable Gaussian blur with std ``sigma`` = (sigma_y, sigma_x) (or one value), kernel half-size
    ceil(2 sigma). The borders are ZERO padded (as in pytracking), so they darken."""

    def __init__(self, sigma, output_sz=None, shift=None):
        super().__init__(output_sz, shift)
        if isinstance(sigma, (float, int)):
            sigma = (sigma, sigma)
        self.sigma = sigma
        self.filter_size, self.filter = gaussian_blur_kernels(sigma)

    def __call__(self, image, is_mask=False):
        if not isinstance(image, torch.Tensor):
            raise NotImplementedError('Blur: only tensors are supported')
        return self.crop_to_output(separable_blur(image, self.filter_size, self.filter))


# Kept for pytracking API compatibility; not on ATOM's path.
class RandomAffine(Transform):
    """Random flip, rotation, shear, scale and aspect-ratio change, rolled once at construction (Python
    ``random``) and applied with OpenCV.

    Fix vs pytracking: ``border_mode='replicate'`` now works (pytracking compared instead of assigning and then
    failed with an AttributeError).
    """

    def __init__(self, p_flip=0.0, max_rotation=0.0, max_shear=0.0, max_scale=0.0, max_ar_factor=0.0,
                 border_mode='constant', output_sz=None, shift=None):
        super().__init__(output_sz, shift)
        self.p_flip = p_flip
        self.max_rotation = max_rotation
        self.max_shear = max_shear
        self.max_scale = max_scale
        self.max_ar_factor = max_ar_factor

        self.pad_amount = 0
        self.border_flag = border_flag(border_mode)

        self.roll_values = self.roll()

    def roll(self):
        return roll_affine(self.p_flip, self.max_rotation, self.max_shear, self.max_scale, self.max_ar_factor)

    def _construct_t_mat(self, image_shape, do_flip, theta, shear_values, scale_factors):
        return affine_matrix(image_shape, do_flip, theta, shear_values, scale_factors, self.pad_amount)

    def __call__(self, image, is_mask=False):
        input_tensor = torch.is_tensor(image)
        if input_tensor:
            return self.crop_to_output(_per_image_numpy(image, lambda im: self._warp(im, is_mask)))
        return self._warp(image, is_mask)

    def _warp(self, image, is_mask):
        do_flip, theta, shear_values, scale_factors = self.roll_values
        t_mat = self._construct_t_mat(image.shape[:2], do_flip, theta, shear_values, scale_factors)
        output_sz = (image.shape[1] + 2 * self.pad_amount, image.shape[0] + 2 * self.pad_amount)
        flags = cv.INTER_NEAREST if is_mask else cv.INTER_LINEAR
        image_t = cv.warpAffine(image, t_mat, output_sz, flags=flags, borderMode=self.border_flag)
        if is_mask:
            image_t = image_t.reshape(image.shape)
        return image_t
