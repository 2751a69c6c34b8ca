"""Feature extractors: crop image patches around a position and run every feature on them."""
import torch

from pytracking.features.preprocessing import sample_patch
from pytracking.libs.tensorlist import TensorList


def _flatten(items):
    """Flatten nested lists/TensorLists into one TensorList (pytracking's `unroll`)."""
    out = TensorList()
    for it in items:
        if isinstance(it, (list, tuple)):
            out.extend(_flatten(it))
        else:
            out.append(it)
    return out


class ExtractorBase:
    """Base feature extractor class.
    args:
        features: list of features.
    """

    def __init__(self, features):
        self.features = features

    def initialize(self):
        for f in self.features:
            f.initialize()


class SingleResolutionExtractor(ExtractorBase):
    """Extractor for features that all share one resolution (not used by ATOM)."""

    def __init__(self, features):
        super().__init__(features)
        self.feature_stride = self.features[0].stride()
        if isinstance(self.feature_stride, (list, TensorList)):
            self.feature_stride = self.feature_stride[0]

    def stride(self):
        return self.feature_stride

    def size(self, input_sz):
        return input_sz // self.stride()

    def extract(self, im, pos, scales, image_sz):
        if isinstance(scales, (int, float)):
            scales = [scales]
        im_patches = torch.cat([sample_patch(im, pos, s * image_sz, image_sz)[0] for s in scales])
        return torch.cat(TensorList([f.get_feature(im_patches) for f in self.features]).unroll(), dim=1)


class MultiResolutionExtractor(ExtractorBase):
    """Extractor for features of possibly different resolutions.
    args:
        features: list of features.
        patch_mode: border handling of the crop ('replicate', 'inside', 'inside_major').
        max_scale_change: passed to sample_patch (None = unlimited).
    """

    def __init__(self, features, patch_mode='replicate', max_scale_change=None):
        super().__init__(features)
        self.patch_mode = patch_mode
        self.max_scale_change = max_scale_change
        self.is_color = None

    def _return_feature(self, f):
        return self.is_color is None or (self.is_color and f.use_for_color) or (not self.is_color and f.use_for_gray)

    def _active(self):
        return [f for f in self.features if self._return_feature(f)]

    def stride(self):
        return torch.Tensor([float(s) for s in _flatten([f.stride() for f in self._active()])])

    def size(self, input_sz):
        return _flatten([f.size(input_sz) for f in self._active()])

    def dim(self):
        return _flatten([f.dim() for f in self._active()])

    def get_fparams(self, name: str = None):
        if name is None:
            return [f.fparams for f in self._active()]
        return _flatten([getattr(f.fparams, name) for f in self._active()])

    def get_attribute(self, name: str, ignore_missing: bool = False):
        if ignore_missing:
            return TensorList([getattr(f, name) for f in self._active() if hasattr(f, name)])
        return TensorList([getattr(f, name, None) for f in self._active()])

    def get_unique_attribute(self, name: str):
        owners = [f for f in self._active() if hasattr(f, name)]
        if not owners:
            raise RuntimeError('No feature of the extractor has the attribute "{}"'.format(name))
        if len(owners) > 1:
            raise RuntimeError('The attribute "{}" is held by {} features, expected exactly one'
                               .format(name, len(owners)))
        return getattr(owners[0], name)

    def set_is_color(self, is_color: bool):
        self.is_color = is_color

    def extract(self, im, pos, scales, image_sz, return_patches=False):
        """Extract features from one patch per scale.
        args:
            im: image, 1x3xHxW float tensor with values 0-255.
            pos: patch centre (y, x).
            scales: scale factor(s); the patch covers scale*image_sz pixels.
            image_sz: patch size after resizing.
        returns: (TensorList of feature maps [num_scales, C, h, w], patch coordinates[, patches])
        """
        if isinstance(scales, (int, float)):
            scales = [scales]
        if isinstance(scales, torch.Tensor) and scales.dim() == 0:
            scales = scales.view(1)
        patches, coords = [], []
        for s in scales:
            patch, coord = sample_patch(im, pos, s * image_sz, image_sz, mode=self.patch_mode,
                                        max_scale_change=self.max_scale_change)
            patches.append(patch)
            coords.append(coord)
        im_patches = torch.cat(patches)
        patch_coords = torch.cat(coords)
        feature_map = _flatten([f.get_feature(im_patches) for f in self.features])
        if return_patches:
            return feature_map, patch_coords, im_patches
        return feature_map, patch_coords

    def extract_transformed(self, im, pos, scale, image_sz, transforms):
        """Crop one patch of scale*image_sz pixels, resized to image_sz, apply every transform, extract features.
        returns: TensorList of feature maps [len(transforms), C, h, w]
        """
        im_patch, _ = sample_patch(im, pos, scale * image_sz, image_sz)
        im_patches = torch.cat([T(im_patch) for T in transforms])
        return _flatten([f.get_feature(im_patches) for f in self.features])
