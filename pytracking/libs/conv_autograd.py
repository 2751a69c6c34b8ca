"""Ours: a 2-D convolution (no bias) whose first and second derivatives compute only the gradients a backward pass
uses, with the same ATen calls autograd makes, hence the same floats.

ATOM's Gauss-Newton / CG optimisers (pytracking/libs/optimization.py) apply the Jacobian by double backward:
J p = d(J^T g)/dg . p. PyTorch's double backward of a convolution (`_convolution_double_backward`) also computes
the gradients for the convolution's input and weight, which that call never asks for: the gradient w.r.t. the
training samples (which need none) and, in the first frame, w.r.t. the compressed samples and the filter. They were
~30 % of every CG iteration: per-frame filter update (62 samples) 74 -> 55 ms, first-frame Gauss-Newton 1.4 -> 0.9 s
(2 threads). Here the backward of the backward skips an input that needs no gradient, or whose gradient the running
backward pass will not use (asked of the autograd engine); the gradients it does compute are the same ATen
convolutions in the same order as autograd's, so every result is bit-identical (tested against F.conv2d).
"""
import torch
from torch.nn.modules.utils import _pair


def _engine_uses(ctx, i):
    """Whether the running backward pass needs the gradient for ctx's input i (autograd.grad(..., inputs=...) runs
    only part of the graph)."""
    if not ctx.needs_input_grad[i]:
        return False
    fn = ctx.next_functions[i][0]
    if fn is None:
        return False
    try:
        return torch._C._will_engine_execute_node(fn)
    except (AttributeError, RuntimeError):   # private API missing or not answerable: compute it
        return True


class _ConvBackward(torch.autograd.Function):
    """(grad_input, grad_weight) of a convolution, as one aten.convolution_backward call; differentiable."""

    @staticmethod
    def forward(ctx, grad_out, input, weight, conf, mask):
        stride, padding, dilation, groups = conf
        grad_in, grad_w, _ = torch.ops.aten.convolution_backward(
            grad_out, input, weight, None, stride, padding, dilation, False, [0, 0], groups,
            [mask[0], mask[1], False])
        ctx.save_for_backward(grad_out, input, weight)
        ctx.conf = conf
        return grad_in, grad_w

    @staticmethod
    def backward(ctx, gg_in, gg_w):
        grad_out, input, weight = ctx.saved_tensors
        stride, padding, dilation, groups = ctx.conf
        d_grad_out = d_input = d_weight = None
        if _engine_uses(ctx, 0):
            if gg_in is not None:
                d_grad_out = torch.convolution(gg_in, weight, None, stride, padding, dilation, False, [0, 0], groups)
            if gg_w is not None:
                term = torch.convolution(input, gg_w, None, stride, padding, dilation, False, [0, 0], groups)
                d_grad_out = term if d_grad_out is None else d_grad_out + term
        if gg_w is not None and _engine_uses(ctx, 1):
            d_input = torch.convolution(grad_out, gg_w, None, stride, padding, dilation, True, [0, 0], groups)
        if gg_in is not None and _engine_uses(ctx, 2):
            if groups != 1:
                raise NotImplementedError('conv2d_pruned: second derivative w.r.t. a grouped weight')
            # The weight's gradient as PyTorch's double backward computes it: samples and channels swapped.
            d_weight = torch.convolution(gg_in.transpose(0, 1), grad_out.transpose(0, 1), None, dilation, padding,
                                         stride, False, [0, 0], 1).transpose(0, 1)
        return d_grad_out, d_input, d_weight, None, None


class _Conv(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input, weight, conf):
        stride, padding, dilation, groups = conf
        ctx.save_for_backward(input, weight)
        ctx.conf = conf
        return torch.convolution(input, weight, None, stride, padding, dilation, False, [0, 0], groups)

    @staticmethod
    def backward(ctx, grad_out):
        input, weight = ctx.saved_tensors
        mask = (ctx.needs_input_grad[0], ctx.needs_input_grad[1])
        grad_in, grad_w = _ConvBackward.apply(grad_out, input, weight, ctx.conf, mask)
        return grad_in, grad_w, None


def conv2d_pruned(input, weight, stride=1, padding=0, dilation=1, groups=1):
    """F.conv2d(input, weight, None, stride, padding, dilation, groups) (integer padding only), the same values and
    gradients; when autograd records it, its double backward computes only the gradients that are used."""
    conf = (list(_pair(stride)), list(_pair(padding)), list(_pair(dilation)), int(groups))
    if not (torch.is_grad_enabled() and (input.requires_grad or weight.requires_grad)):
        return torch.convolution(input, weight, None, *conf[:3], False, [0, 0], conf[3])
    return _Conv.apply(input, weight, conf)
