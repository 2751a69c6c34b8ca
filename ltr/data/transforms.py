"""Joint image / coordinate / box / mask augmentations.

A transform is called with keyword inputs ``image``, ``coords``, ``bbox``, ``bboxes`` and ``mask`` (each a
single item or a list of items) and the arguments ``joint`` and ``new_roll``:

- ``joint=True`` (default): every input (and every element of a list) gets the same random parameters.
- ``joint=False``: the inputs are zipped element by element and every tuple is transformed independently
  (with its own roll); the result is a list per input.
- ``new_roll=False``: re-use the parameters of the previous call instead of drawing new ones, e.g. to apply
  the same grayscale decision to the train and the test frames.

One input gives one output; several give a tuple in the order the inputs were passed.

Coordinates: ``coords`` is a ``2xN`` tensor of (y, x) rows; ``bbox`` is ``[x, y, w, h]``; ``bboxes`` is
``Nx4``. Pixel ``i`` is centred at coordinate ``i`` (OpenCV's convention), so a horizontal flip maps
``x -> W-1-x``. A box therefore covers the pixels whose centres lie inside it: a box on pixel columns
``c0 .. c0+n-1`` is ``x = c0 - 0.5, w = n``.

Random parameters come from Python's ``random`` (flip, grayscale, blur, affine) and numpy's global RNG
(brightness jitter), as in pytracking.
"""
import random

import cv2 as cv
import numpy as np
import torch
import torchvision.transforms.functional as tvisf

from ltr.data.image_ops import affine_matrix, border_flag, gaussian_blur_kernels, roll_affine, separable_blur

_VALID_INPUTS = ['image', 'coords', 'bbox', 'bboxes', 'mask']
_VALID_ARGS = ['joint', 'new_roll']


def _check_inputs(inputs, where):
    for name in inputs:
        if name not in _VALID_INPUTS + _VALID_ARGS:
            raise ValueError('Incorrect input "{}" to {}. Only supports inputs {} and arguments {}.'.format(
                name, where, _VALID_INPUTS, _VALID_ARGS))


class Transform:
    """A chain of transforms applied jointly to images, coordinates, boxes and masks (see module docstring)."""

    def __init__(self, *transforms):
        if len(transforms) == 1 and isinstance(transforms[0], (list, tuple)):
            transforms = transforms[0]
        self.transforms = transforms
        self._valid_inputs = list(_VALID_INPUTS)
        self._valid_args = list(_VALID_ARGS)
        self._valid_all = self._valid_inputs + self._valid_args

    def __call__(self, **inputs):
        _check_inputs(inputs, 'transform')
        var_names = [k for k in inputs.keys() if k in self._valid_inputs]
        if not var_names:
            raise ValueError('transform called without any of the inputs {}'.format(self._valid_inputs))

        joint_mode = inputs.get('joint', True)
        new_roll = inputs.get('new_roll', True)

        if not joint_mode:
            results = [self(**inp) for inp in self._split_inputs(inputs)]
            if len(var_names) == 1:
                # pytracking zips the results here, which breaks for a single input; return the list instead.
                return list(results)
            return tuple(list(o) for o in zip(*results))

        out = {k: v for k, v in inputs.items() if k in self._valid_inputs}
        for t in self.transforms:
            out = t(**out, joint=joint_mode, new_roll=new_roll)
        if len(var_names) == 1:
            return out[var_names[0]]
        return tuple(out[v] for v in var_names)

    def _split_inputs(self, inputs):
        var_names = [k for k in inputs.keys() if k in self._valid_inputs]
        lengths = {k: len(inputs[k]) for k in var_names}
        if len(set(lengths.values())) > 1:
            raise ValueError('transform with joint=False needs lists of equal length, got {}'.format(lengths))
        split_inputs = [{k: v for k, v in zip(var_names, vals)} for vals in zip(*[inputs[vn] for vn in var_names])]
        for arg_name, arg_val in inputs.items():
            if arg_name == 'joint' or arg_name not in self._valid_args:
                continue
            if isinstance(arg_val, list):
                for inp, av in zip(split_inputs, arg_val):
                    inp[arg_name] = av
            else:
                for inp in split_inputs:
                    inp[arg_name] = arg_val
        return split_inputs

    def __repr__(self):
        lines = [self.__class__.__name__ + '(']
        for t in self.transforms:
            lines.append('    {0}'.format(t))
        lines.append(')')
        return '\n'.join(lines)


class TransformBase:
    """Base class: subclasses draw parameters in ``roll()`` and implement ``transform_<input>(x, *params)``.

    ``transform_coords``/``transform_bbox``/``transform_bboxes`` also receive the image shape (H, W) taken from
    the first image (or mask). ``transform_bbox`` maps the 4 box corners through ``transform_coords`` and
    returns their enclosing box, so a geometric transform only needs ``transform_coords``.
    """

    def __init__(self):
        self._valid_inputs = list(_VALID_INPUTS)
        self._valid_args = list(_VALID_ARGS)
        self._valid_all = self._valid_inputs + self._valid_args
        self._rand_params = None

    def __call__(self, **inputs):
        _check_inputs(inputs, type(self).__name__)
        input_vars = {k: v for k, v in inputs.items() if k in self._valid_inputs}
        input_args = {k: v for k, v in inputs.items() if k in self._valid_args}

        # pytracking crashes when new_roll=False comes before any roll; roll in that case.
        if input_args.get('new_roll', True) or self._rand_params is None:
            rand_params = self.roll()
            if rand_params is None:
                rand_params = ()
            elif not isinstance(rand_params, tuple):
                rand_params = (rand_params,)
            self._rand_params = rand_params

        outputs = dict()
        for var_name, var in input_vars.items():
            if var is None:
                outputs[var_name] = None
                continue
            transform_func = getattr(self, 'transform_' + var_name)
            if var_name in ['coords', 'bbox', 'bboxes']:
                params = (self._get_image_size(input_vars),) + self._rand_params
            else:
                params = self._rand_params
            if isinstance(var, (list, tuple)):
                outputs[var_name] = [transform_func(x, *params) for x in var]
            else:
                outputs[var_name] = transform_func(var, *params)
        return outputs

    def _get_image_size(self, inputs):
        im = None
        for var_name in ['image', 'mask']:
            if inputs.get(var_name) is not None:
                im = inputs[var_name]
                break
        if im is None:
            return None
        if isinstance(im, (list, tuple)):
            im = im[0]
        if isinstance(im, np.ndarray):
            return im.shape[:2]
        if torch.is_tensor(im):
            return (im.shape[-2], im.shape[-1])
        raise ValueError('Unknown image type {}'.format(type(im).__name__))

    def roll(self):
        return None

    def transform_image(self, image, *rand_params):
        return image

    def transform_coords(self, coords, image_shape, *rand_params):
        return coords

    def transform_bbox(self, bbox, image_shape, *rand_params):
        """Enclosing box of the transformed corners (identity when transform_coords is not overridden)."""
        if type(self).transform_coords is TransformBase.transform_coords:
            return bbox
        if image_shape is None:
            raise ValueError('{}: transforming a bbox needs an image or mask in the same call'.format(
                type(self).__name__))

        x, y, w, h = bbox.reshape(-1).tolist()
        x1, x2, y1, y2 = x, x + w, y, y + h
        corners = torch.tensor([[y1, y1, y2, y2],
                                [x1, x2, x2, x1]], dtype=torch.float32)
        corners_t = self.transform_coords(corners, image_shape, *rand_params).flip(0)  # rows -> (x, y)
        tl = torch.min(corners_t, dim=1)[0]
        sz = torch.max(corners_t, dim=1)[0] - tl
        return torch.cat((tl, sz), dim=-1).reshape(bbox.shape).to(bbox.dtype if bbox.is_floating_point()
                                                                 else torch.float32)

    def transform_bboxes(self, bboxes, image_shape, *rand_params):
        """``transform_bbox`` on every row of an Nx4 tensor."""
        if bboxes.numel() == 0:
            return bboxes
        return torch.stack([self.transform_bbox(b, image_shape, *rand_params) for b in bboxes.reshape(-1, 4)]
                           ).reshape(bboxes.shape)

    def transform_mask(self, mask, *rand_params):
        return mask

    def __repr__(self):
        return self.__class__.__name__ + '()'


def _to_chw_tensor(image):
    """HxWxC (or HxW) numpy array -> CxHxW tensor; tensors are passed through."""
    if torch.is_tensor(image):
        return image
    if not isinstance(image, np.ndarray):
        raise ValueError('Unknown image type {} (expected numpy array or tensor)'.format(type(image).__name__))
    if image.ndim == 2:
        image = image[:, :, None]
    return torch.from_numpy(np.ascontiguousarray(image.transpose((2, 0, 1))))


class ToTensor(TransformBase):
    """HxWxC numpy image -> CxHxW float tensor (uint8 scaled to [0, 1]); masks numpy -> tensor."""

    def transform_image(self, image):
        image = _to_chw_tensor(image)
        if image.dtype == torch.uint8:
            return image.float().div(255)
        return image

    def transform_mask(self, mask):
        # pytracking misspells this method (``transfrom_mask``) so masks stay numpy; fixed here.
        if isinstance(mask, np.ndarray):
            return torch.from_numpy(mask)
        return mask

    def transfrom_mask(self, mask):
        """pytracking's misspelt name, kept as an alias."""
        return self.transform_mask(mask)


class ToTensorAndJitter(TransformBase):
    """ToTensor plus a random brightness factor in ``[max(0, 1-b), 1+b]`` (numpy RNG), clamped to range."""

    def __init__(self, brightness_jitter=0.0, normalize=True):
        super().__init__()
        self.brightness_jitter = brightness_jitter
        self.normalize = normalize

    def roll(self):
        return np.random.uniform(max(0, 1 - self.brightness_jitter), 1 + self.brightness_jitter)

    def transform_image(self, image, brightness_factor):
        img = _to_chw_tensor(image)
        if self.normalize:
            return img.float().mul(brightness_factor / 255.0).clamp(0.0, 1.0)
        return img.float().mul(brightness_factor).clamp(0.0, 255.0)

    def transform_mask(self, mask, brightness_factor):
        if isinstance(mask, np.ndarray):
            return torch.from_numpy(mask)
        return mask

    def __repr__(self):
        return '{}(brightness_jitter={}, normalize={})'.format(type(self).__name__, self.brightness_jitter,
                                                                 self.normalize)


class Normalize(TransformBase):
    """Channel-wise ``(image - mean) / std`` of a CxHxW tensor."""

    def __init__(self, mean, std, inplace=False):
        super().__init__()
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def transform_image(self, image):
        if not torch.is_tensor(image):
            raise ValueError('Normalize needs a tensor image (apply ToTensor first), got {}'.format(
                type(image).__name__))
        return tvisf.normalize(image, self.mean, self.std, self.inplace)

    def __repr__(self):
        return '{}(mean={}, std={})'.format(type(self).__name__, self.mean, self.std)


class ToGrayscale(TransformBase):
    """With ``probability``, replace the image by its luma repeated on 3 channels (Python ``random``)."""

    def __init__(self, probability=0.5):
        super().__init__()
        self.probability = probability
        self.color_weights = torch.tensor([0.2989, 0.5870, 0.1140], dtype=torch.float32)

    def roll(self):
        return random.random() < self.probability

    def transform_image(self, image, do_grayscale):
        if not do_grayscale:
            return image
        if torch.is_tensor(image):
            # pytracking raises NotImplementedError for tensors; CxHxW luma with OpenCV's weights instead.
            gray = (image.float() * self.color_weights.view(3, 1, 1)).sum(dim=-3, keepdim=True)
            return gray.to(image.dtype).expand_as(image).clone()
        img_gray = cv.cvtColor(image, cv.COLOR_RGB2GRAY)
        return np.stack([img_gray, img_gray, img_gray], axis=2)

    def __repr__(self):
        return '{}(probability={})'.format(type(self).__name__, self.probability)


# Kept for pytracking API compatibility; not on ATOM's path.
class ToBGR(TransformBase):
    """RGB -> BGR channel order."""

    def transform_image(self, image):
        if torch.is_tensor(image):
            # pytracking raises NotImplementedError for tensors; reverse the channel dim instead.
            return image.flip(-3)
        return cv.cvtColor(image, cv.COLOR_RGB2BGR)


# Kept for pytracking API compatibility; not on ATOM's path.
class RandomHorizontalFlip(TransformBase):
    """Flip image, coords, boxes and masks left-right with ``probability`` (Python ``random``); x -> W-1-x."""

    def __init__(self, probability=0.5):
        super().__init__()
        self.probability = probability

    def roll(self):
        return random.random() < self.probability

    def transform_image(self, image, do_flip):
        if not do_flip:
            return image
        if torch.is_tensor(image):
            return image.flip((-1,))
        return np.fliplr(image).copy()

    def transform_coords(self, coords, image_shape, do_flip):
        if not do_flip:
            return coords
        coords_flipped = coords.clone()
        coords_flipped[1, :] = (image_shape[1] - 1) - coords[1, :]
        return coords_flipped

    def transform_mask(self, mask, do_flip):
        if not do_flip:
            return mask
        if torch.is_tensor(mask):
            return mask.flip((-1,))
        return np.fliplr(mask).copy()

    def __repr__(self):
        return '{}(probability={})'.format(type(self).__name__, self.probability)


# Kept for pytracking API compatibility; not on ATOM's path.
class Blur(TransformBase):
    """Separable Gaussian blur of a CxHxW tensor; kernel half-size ``ceil(2*sigma)``, zero padding."""

    def __init__(self, sigma):
        super().__init__()
        if isinstance(sigma, (float, int)):
            sigma = (sigma, sigma)
        self.sigma = sigma
        self.filter_size, self.filter = gaussian_blur_kernels(sigma)

    def _blur(self, image):
        if not torch.is_tensor(image):
            raise NotImplementedError('{} works on CxHxW tensors; apply ToTensor first'.format(type(self).__name__))
        return separable_blur(image.float(), self.filter_size, self.filter).to(image.dtype)

    def transform_image(self, image):
        return self._blur(image)

    def __repr__(self):
        return '{}(sigma={})'.format(type(self).__name__, self.sigma)


# Kept for pytracking API compatibility; not on ATOM's path.
class RandomBlur(Blur):
    """Blur with ``probability`` (Python ``random``).

    pytracking's RandomBlur defines ``transform`` instead of ``transform_image``, so it silently never blurs.
    Here it blurs as documented; ``transform`` is kept as an alias.
    """

    def __init__(self, sigma, probability=0.1):
        super().__init__(sigma)
        self.probability = probability

    def roll(self):
        return random.random() < self.probability

    def transform_image(self, image, do_blur=None):
        if do_blur is None:
            do_blur = False
        if do_blur:
            return self._blur(image)
        return image

    def transform(self, image, do_blur=None):
        return self.transform_image(image, do_blur)

    def __repr__(self):
        return '{}(sigma={}, probability={})'.format(type(self).__name__, self.sigma, self.probability)


# Kept for pytracking API compatibility; not on ATOM's path.
class RandomAffine(TransformBase):
    """Random flip, rotation, shear, scale and aspect-ratio change applied with one affine matrix.

    The matrix (source pixel -> output pixel, OpenCV pixel-centre convention) is ``scale . rot . shear . flip``
    about the image centre ``(W/2, H/2)``, followed by a shift of ``pad_amount`` (the output is
    ``pad_amount`` larger on every side). Images are warped with bilinear interpolation, masks with nearest;
    coordinates and boxes go through the same matrix, so they stay on the same content. Transformed coordinates
    are clamped to the output image. Numpy images only (as pytracking).

    ``roll`` draws 6 numbers from Python's ``random`` (flip, rotation, 2 shears, aspect, scale); with
    ``scale_center > 0`` two more draws move the scaling centre by up to ``scale_center`` times the image size.

    Fixed from pytracking: ``border_mode='replicate'`` was ignored (``==`` instead of ``=``).
    """

    def __init__(self, p_flip=0.0, max_rotation=0.0, max_shear=0.0, max_scale=0.0, max_ar_factor=0.0,
                 border_mode='constant', pad_amount=0, scale_center=0.0):
        super().__init__()
        self.p_flip = p_flip
        self.max_rotation = max_rotation
        self.max_shear = max_shear
        self.max_scale = max_scale
        self.max_ar_factor = max_ar_factor
        self.pad_amount = pad_amount
        self.scale_center = scale_center
        self.border_mode = border_mode
        self.border_flag = border_flag(border_mode)

    def roll(self):
        do_flip, theta, shear_values, scale_factors = roll_affine(self.p_flip, self.max_rotation, self.max_shear,
                                                                  self.max_scale, self.max_ar_factor)
        if self.scale_center > 0:
            scale_center = (random.uniform(-self.scale_center, self.scale_center),
                            random.uniform(-self.scale_center, self.scale_center))
        else:
            scale_center = (0.0, 0.0)
        return do_flip, theta, shear_values, scale_factors, scale_center

    def _construct_t_mat(self, image_shape, do_flip, theta, shear_values, scale_factors, scale_center=(0.0, 0.0)):
        return affine_matrix(image_shape, do_flip, theta, shear_values, scale_factors, self.pad_amount, scale_center)

    def _output_size(self, image_shape):
        return (image_shape[1] + 2 * self.pad_amount, image_shape[0] + 2 * self.pad_amount)  # (W, H) for OpenCV

    def transform_image(self, image, do_flip, theta, shear_values, scale_factors, scale_center=(0.0, 0.0)):
        if torch.is_tensor(image):
            raise NotImplementedError('RandomAffine only supports numpy images (apply it before ToTensor)')
        t_mat = self._construct_t_mat(image.shape[:2], do_flip, theta, shear_values, scale_factors, scale_center)
        return cv.warpAffine(image, t_mat, self._output_size(image.shape[:2]), flags=cv.INTER_LINEAR,
                             borderMode=self.border_flag)

    def transform_coords(self, coords, image_shape, do_flip, theta, shear_values, scale_factors,
                         scale_center=(0.0, 0.0)):
        if image_shape is None:
            raise ValueError('RandomAffine: transforming coordinates needs an image or mask in the same call')
        t_mat = torch.tensor(self._construct_t_mat(image_shape, do_flip, theta, shear_values, scale_factors,
                                                   scale_center)).float()
        coords = coords.float()
        coords_xy1 = torch.stack((coords[1, :], coords[0, :], torch.ones_like(coords[1, :])))
        coords_xy_t = torch.mm(t_mat, coords_xy1)
        out_w, out_h = self._output_size(image_shape)
        coords_xy_t[0, :] = coords_xy_t[0, :].clamp(0, out_w - 1)
        coords_xy_t[1, :] = coords_xy_t[1, :].clamp(0, out_h - 1)
        return coords_xy_t[[1, 0], :]

    def transform_mask(self, mask, do_flip, theta, shear_values, scale_factors, scale_center=(0.0, 0.0)):
        is_tensor = torch.is_tensor(mask)
        mask_np = mask.numpy() if is_tensor else mask
        t_mat = self._construct_t_mat(mask_np.shape[:2], do_flip, theta, shear_values, scale_factors, scale_center)
        mask_t = cv.warpAffine(mask_np, t_mat, self._output_size(mask_np.shape[:2]), flags=cv.INTER_NEAREST,
                               borderMode=cv.BORDER_CONSTANT)
        return torch.from_numpy(mask_t) if is_tensor else mask_t

    def __repr__(self):
        return ('{}(p_flip={}, max_rotation={}, max_shear={}, max_scale={}, max_ar_factor={}, border_mode={!r}, '
                'pad_amount={}, scale_center={})').format(type(self).__name__, self.p_flip, self.max_rotation,
                                                          self.max_shear, self.max_scale, self.max_ar_factor,
                                                          self.border_mode, self.pad_amount, self.scale_center)
