"""Ours: nn.MaxPool2d with a faster CPU inference path, the same maxima.

ATen's CPU max pooling of a contiguous (NCHW) float map is slow: ResNet-18's 3x3 / stride-2 pool on its
1x64x144x144 conv1 output (a 288x288 ATOM crop) took 6.6 ms on 2 threads here, ~20 % of the backbone pass, and
152 ms for the 23 augmented first-frame crops. oneDNN's max pooling takes 0.6 ms (18 ms for the 23, one sample at a
time: a whole 120 MB batch runs 3x slower than its samples one by one). A maximum involves no rounding, so the
outputs are the same floats (tested against F.max_pool2d). oneDNN ignores NaN where ATen propagates it, so a map
holding a NaN takes ATen's path. The check is one sum (NaN or inf in, NaN or inf out; 0.04 ms on that map, where
torch.isnan(x).any() took 1.1 ms); a map with an infinity, or whose sum overflows, also takes ATen's path.

The fast path is taken only where nothing else could differ: inference (no input needing a gradient), a contiguous
4-D float32 CPU tensor (channels_last maps are already fast in ATen), no dilation, no indices, oneDNN enabled, and
not while tracing/scripting (the traced graphs of fold_batch_norm.optimize_for_inference keep the plain op).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.modules.utils import _pair


def _onednn_applies(pool, x):
    if torch.jit.is_tracing() or torch.jit.is_scripting():
        return False
    if x.device.type != 'cpu' or x.dtype != torch.float32 or x.dim() != 4 or not x.is_contiguous():
        return False
    if x.requires_grad and torch.is_grad_enabled():
        return False
    if pool.return_indices or _pair(pool.dilation) != (1, 1) or not torch.backends.mkldnn.is_available():
        return False
    return torch.backends.mkldnn.enabled and x.numel() > 0


def onednn_max_pool2d(x, kernel_size, stride, padding, ceil_mode=False):
    """F.max_pool2d of a finite (no NaN, no inf: the caller checks) contiguous float32 CPU batch through oneDNN, one
    sample at a time."""
    args = (list(_pair(kernel_size)), list(_pair(stride)), list(_pair(padding)), [1, 1], bool(ceil_mode))
    return torch.cat([torch.mkldnn_max_pool2d(x[i:i + 1].to_mkldnn(), *args).to_dense() for i in range(x.shape[0])])


class MaxPool2d(nn.MaxPool2d):
    """nn.MaxPool2d (same arguments, no parameters or buffers: state dicts unchanged) whose inference forward on a
    contiguous CPU float32 map runs oneDNN's pooling (see the module docstring); elsewhere it is nn.MaxPool2d."""

    def forward(self, x):
        if _onednn_applies(self, x) and torch.isfinite(x.sum()):
            return onednn_max_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode)
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)
