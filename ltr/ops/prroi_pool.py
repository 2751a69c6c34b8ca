"""Precise RoI Pooling (Jiang et al., ECCV 2018), as used by ATOM's IoU-Net.

`prroi_pool2d(features, rois, pooled_height, pooled_width, spatial_scale)` and the module
`PrRoIPool2D(pooled_height, pooled_width, spatial_scale)` have the signatures of vacancy/PreciseRoIPooling.
features (B,C,H,W); rois (K,5) rows [batch_index, x0, y0, x1, y1] in image coordinates (multiplied by
`spatial_scale`); output (K,C,ph,pw): the exact integral of the bilinear interpolant of the map over each
bin divided by the bin area (0 when the area is 0). Differentiable w.r.t. features and the box coordinates.

Backend: the compiled op `torch.ops.ltr.prroi_pool2d` (CPU: float16/bfloat16/float32/float64; CUDA when
built with it) if `ltr._C` loaded, otherwise the pure-PyTorch exact integral in `prroi_pool_torch`,
with one warning. Unlike the original (CUDA-only, float32-only, compiled on first use), it runs everywhere.
"""
import numbers
import warnings

import torch
from torch import nn

from ltr.ops import _extension
from ltr.ops.prroi_pool_torch import prroi_pool2d_torch

__all__ = ['prroi_pool2d', 'PrRoIPool2D']

_warned = False


def _warn_fallback(reason):
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(f'PrRoIPool: {reason}; using the pure-PyTorch implementation (same results, slower). '
                      'Build the extension with `pip install --no-build-isolation -e .`.', stacklevel=3)


def _check_inputs(features, rois, pooled_height, pooled_width, spatial_scale):
    if not isinstance(features, torch.Tensor) or features.dim() != 4:
        raise ValueError(f'prroi_pool2d: features must be a 4-D tensor (B, C, H, W); got '
                         f'{tuple(features.shape) if isinstance(features, torch.Tensor) else type(features)}')
    if not features.is_floating_point():
        raise TypeError(f'prroi_pool2d: features must be a floating-point tensor; got {features.dtype}')
    if not isinstance(rois, torch.Tensor) or rois.dim() != 2 or rois.shape[1] != 5:
        raise ValueError(f'prroi_pool2d: rois must be a (K, 5) tensor of [batch_index, x0, y0, x1, y1]; got '
                         f'{tuple(rois.shape) if isinstance(rois, torch.Tensor) else type(rois)}')
    if not rois.is_floating_point():
        raise TypeError(f'prroi_pool2d: rois must be a floating-point tensor; got {rois.dtype}')
    if rois.device != features.device:
        raise ValueError(f'prroi_pool2d: rois are on {rois.device} but features on {features.device}')
    for name, v in (('pooled_height', pooled_height), ('pooled_width', pooled_width)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(f'prroi_pool2d: {name} must be a positive integer; got {v!r}')
    if isinstance(spatial_scale, bool) or not isinstance(spatial_scale, numbers.Real):
        raise ValueError(f'prroi_pool2d: spatial_scale must be a number; got {spatial_scale!r}')


def prroi_pool2d(features, rois, pooled_height, pooled_width, spatial_scale):
    """PrRoIPool of `features` (B,C,H,W) over `rois` (K,5) -> (K, C, pooled_height, pooled_width)."""
    _check_inputs(features, rois, pooled_height, pooled_width, spatial_scale)
    pooled_height, pooled_width, spatial_scale = int(pooled_height), int(pooled_width), float(spatial_scale)
    if rois.dtype != features.dtype:
        rois = rois.to(features.dtype)
    # A bad batch index raises the same ValueError on every device and backend: the compiled kernels' shared check
    # (csrc/prroi_pool_checks.cpp) or the fallback's roi_batch_indices.
    if _extension.has_kernel(features.device.type):
        return torch.ops.ltr.prroi_pool2d(features, rois, pooled_height, pooled_width, spatial_scale)
    if not _extension.has_ops():
        _warn_fallback(f'compiled extension ltr._C not available ({_extension.load_error()})')
    else:
        _warn_fallback(f'ltr._C has no kernel for device {features.device.type}')
    return prroi_pool2d_torch(features, rois, pooled_height, pooled_width, spatial_scale)


class PrRoIPool2D(nn.Module):
    """Module form of `prroi_pool2d`; forward(features (B,C,H,W), rois (K,5)) -> (K,C,ph,pw)."""

    def __init__(self, pooled_height, pooled_width, spatial_scale):
        super().__init__()
        self.pooled_height = int(pooled_height)
        self.pooled_width = int(pooled_width)
        self.spatial_scale = float(spatial_scale)

    def forward(self, features, rois):
        return prroi_pool2d(features, rois, self.pooled_height, self.pooled_width, self.spatial_scale)

    def extra_repr(self):
        return f'kernel_size=({self.pooled_height}, {self.pooled_width}), spatial_scale={self.spatial_scale}'
