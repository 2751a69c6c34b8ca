"""Base classes of image features: extract, then optional pooling and power normalisation."""
import torch
import torch.nn.functional as F

from pytracking.libs.tensorlist import TensorList


def _normalize_power(feat, p):
    """Divide each sample by its p-mean over (C, H, W): feat / (sum|feat|^p / (C*H*W) + 1e-10)^(1/p).

    With p=2 (ATOM) every sample gets unit root-mean-square. In place, like pytracking.
    """
    n = feat.shape[1] * feat.shape[2] * feat.shape[3]
    norm = (feat.abs().reshape(feat.shape[0], 1, 1, -1) ** p).sum(dim=3, keepdim=True) / n
    feat /= (norm + 1e-10) ** (1 / p)
    return feat


class FeatureBase:
    """Base feature class.
    args:
        fparams: feature-specific parameters (a FeatureParams).
        pool_stride: extra average-pooling stride applied to the output (None = 1).
        output_size: fixed output size via adaptive average pooling (None = keep).
        normalize_power: p of the per-sample p-norm normalisation (None = off).
        use_for_color / use_for_gray: whether the feature is used on colour / grey images.
    """

    def __init__(self, fparams=None, pool_stride=None, output_size=None, normalize_power=None, use_for_color=True,
                 use_for_gray=True):
        self.fparams = fparams
        self.pool_stride = 1 if pool_stride is None else pool_stride
        self.output_size = output_size
        self.normalize_power = normalize_power
        self.use_for_color = use_for_color
        self.use_for_gray = use_for_gray

    def initialize(self):
        pass

    def dim(self):
        raise NotImplementedError

    def stride(self):
        raise NotImplementedError

    def size(self, im_sz):
        if self.output_size is None:
            return im_sz // self.stride()
        if isinstance(im_sz, torch.Tensor):
            return torch.Tensor([self.output_size[0], self.output_size[1]])
        return self.output_size

    def extract(self, im):
        """Compute the raw feature of a 1xCxHxW (or NxCxHxW) image batch with values 0-255."""
        raise NotImplementedError

    def _used_for(self, im):
        is_color = im.shape[1] == 3
        return (is_color and self.use_for_color) or (not is_color and self.use_for_gray)

    def get_feature(self, im: torch.Tensor):
        """The feature after pooling and normalisation (an empty tensor if unused for this image type)."""
        if not self._used_for(im):
            return torch.Tensor([])
        feat = self.extract(im)
        if self.output_size is not None:
            feat = F.adaptive_avg_pool2d(feat, self.output_size)
        elif self.pool_stride != 1:
            feat = F.avg_pool2d(feat, self.pool_stride, self.pool_stride)
        if self.normalize_power is not None:
            feat = _normalize_power(feat, self.normalize_power)
        return feat


class MultiFeatureBase(FeatureBase):
    """A feature that returns several maps (a TensorList), e.g. several network layers."""

    def size(self, im_sz):
        if self.output_size is None:
            return TensorList([im_sz // s for s in self.stride()])
        if isinstance(im_sz, torch.Tensor):
            return TensorList([im_sz // s if sz is None else torch.Tensor([sz[0], sz[1]])
                               for sz, s in zip(self.output_size, self.stride())])
        return TensorList(self.output_size)

    def get_feature(self, im: torch.Tensor):
        """The feature maps after pooling and normalisation (an empty tensor if unused for this image type)."""
        if not self._used_for(im):
            return torch.Tensor([])
        feat_list = self.extract(im)
        output_sz = [None] * len(feat_list) if self.output_size is None else self.output_size
        for i, (f, s) in enumerate(zip(feat_list, output_sz)):
            if s is not None:
                feat_list[i] = F.adaptive_avg_pool2d(f, s)
        pool_strides = [self.pool_stride] * len(feat_list) if isinstance(self.pool_stride, int) else self.pool_stride
        for i, (f, s) in enumerate(zip(feat_list, pool_strides)):
            if output_sz[i] is None and s != 1:
                feat_list[i] = F.avg_pool2d(f, s, s)
        if self.normalize_power is not None:
            for f in feat_list:
                _normalize_power(f, self.normalize_power)
        return feat_list
