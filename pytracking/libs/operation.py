"""Convolution helpers that also work element-wise on TensorLists."""

import torch
import torch.nn.functional as F

from .conv_autograd import conv2d_pruned
from .tensorlist import tensor_operation


@tensor_operation
def conv2d(input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor = None, stride=1, padding=0, dilation=1,
           groups=1, mode=None):
    """``F.conv2d`` with an optional padding ``mode``; a None weight returns the input unchanged.

    mode:
        'same': pad by kernel_size // 2; for an even kernel the output then has one extra row/column, and the
            LAST one is dropped, so the output has the input's size.
        'valid': no padding.  'full': pad by kernel_size - 1.
    ``padding`` and ``mode`` cannot both be given.
    """
    if weight is None:
        return input

    crop = None
    if mode is not None:
        if padding != 0:
            raise ValueError('conv2d: give either padding or mode, not both (padding={}, mode={!r})'.format(
                padding, mode))
        kh, kw = weight.shape[2], weight.shape[3]
        if mode == 'same':
            padding = (kh // 2, kw // 2)
            if kh % 2 == 0 or kw % 2 == 0:
                crop = (slice(-1) if kh % 2 == 0 else slice(None), slice(-1) if kw % 2 == 0 else slice(None))
        elif mode == 'valid':
            padding = (0, 0)
        elif mode == 'full':
            padding = (kh - 1, kw - 1)
        else:
            raise ValueError("conv2d: unknown mode {!r} (expected 'same', 'valid' or 'full')".format(mode))

    if bias is None and not isinstance(padding, str):
        # Ours: the same convolution, whose double backward (the optimisers' Jacobian products) skips unused
        # gradients (conv_autograd).
        out = conv2d_pruned(input, weight, stride=stride, padding=padding, dilation=dilation, groups=groups)
    else:
        out = F.conv2d(input, weight, bias=bias, stride=stride, padding=padding, dilation=dilation, groups=groups)
    if crop is None:
        return out
    return out[:, :, crop[0], crop[1]]


@tensor_operation
def conv1x1(input: torch.Tensor, weight: torch.Tensor):
    """1x1 convolution (a per-pixel linear map of the channels); a None weight returns the input."""
    if weight is None:
        return input
    return conv2d_pruned(input, weight)   # = torch.conv2d(input, weight); see conv_autograd
