"""Ours: conv2d_pruned is F.conv2d (values, gradients, second derivatives) while its double backward skips the
gradients a backward pass does not use: checked numerically (gradgradcheck) and, for the optimisers' Jacobian
products, bit for bit against F.conv2d's autograd."""
import pytest
import torch
import torch.nn.functional as F
from torch.utils._python_dispatch import TorchDispatchMode

from pytracking.libs.conv_autograd import conv2d_pruned


@pytest.mark.parametrize('stride,padding,dilation,groups', [(1, 2, 1, 1), (2, 1, 1, 1), (1, (1, 0), 2, 1),
                                                             (1, 1, 1, 2)])
def test_first_and_second_derivatives_are_numerically_right(stride, padding, dilation, groups):
    torch.manual_seed(0)
    x = torch.randn(2, 4, 7, 8, dtype=torch.float64, requires_grad=True)
    w = torch.randn(2, 4 // groups, 3, 2, dtype=torch.float64, requires_grad=True)
    fn = lambda a, b: conv2d_pruned(a, b, stride, padding, dilation, groups).tanh()  # noqa: E731
    assert torch.equal(fn(x, w), F.conv2d(x, w, None, stride, padding, dilation, groups).tanh())
    assert torch.autograd.gradcheck(fn, (x, w))
    if groups == 1:   # (a grouped weight's second derivative is not implemented: not on ATOM's path)
        assert torch.autograd.gradgradcheck(fn, (x, w))


def _jacobian_products(conv, samples, projection, filt, direction):
    """The Gauss-Newton products of ATOM's classifier (optimization._GaussNewtonLinearisation): J^T g, J p and
    J^T J p for s = elu(filt * (projection * samples)), by double backward."""
    params = [filt] if projection is None else [filt, projection]
    compressed = samples if projection is None else conv(samples, projection, padding=0)
    out = F.elu(conv(compressed, filt, padding=2))
    g = out.detach().requires_grad_(True)
    jtg = torch.autograd.grad(out, params, g, create_graph=True)
    jp = torch.autograd.grad(jtg, g, direction[:len(params)], retain_graph=True)
    jtjp = torch.autograd.grad(out, params, jp, retain_graph=True)
    return [t.detach() for t in (*jtg, *jp, *jtjp)]


class _Convolutions(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += func in (torch.ops.aten.convolution.default, torch.ops.aten.convolution_backward.default)
        return func(*args, **(kwargs or {}))


@pytest.mark.parametrize('factorized', [False, True])
def test_jacobian_products_are_bit_identical_with_fewer_convolutions(factorized):
    torch.manual_seed(1)
    samples = torch.randn(12, 32 if factorized else 16, 18, 18)   # training samples: no gradient
    projection = (torch.randn(16, 32, 1, 1) * 0.2).requires_grad_(True) if factorized else None
    filt = (torch.randn(1, 16, 4, 4) * 0.1).requires_grad_(True)
    direction = [torch.randn(1, 16, 4, 4), torch.randn(16, 32, 1, 1)]

    def stock(a, b, padding):
        return F.conv2d(a, b, padding=padding)

    def pruned(a, b, padding):
        return conv2d_pruned(a, b, padding=padding)

    counts = []
    for conv in (stock, pruned):
        with _Convolutions() as mode:
            _jacobian_products(conv, samples, projection, filt, direction)
        counts.append(mode.count)
    reference = _jacobian_products(stock, samples, projection, filt, direction)
    got = _jacobian_products(pruned, samples, projection, filt, direction)
    for a, b in zip(got, reference):
        assert torch.equal(a, b)
    # Skipped: the samples' gradient (and, factorized, the compressed samples' and the filter's): 1 and 3 fewer.
    assert counts[1] == counts[0] - (3 if factorized else 1)
