"""ATOM's least-squares problems against a direct (loop) computation of the residuals in numpy."""
import math

import numpy as np
import pytest
import torch

from pytracking.libs import TensorList
from pytracking.tracker.atom.optim import ConvProblem, FactorizedConvProblem


def mlu_np(x, a):
    return np.where(x >= 0, x, a * (np.exp(x / a) - 1))


def same_conv_even_np(x, f):
    """'same' correlation of x [C, H, W] with an even kxk filter f [C, k, k]: zero padding k//2 on every side,
    then the last row and column dropped (output H x W). Plain loops."""
    C, H, W = x.shape
    k = f.shape[-1]
    p = k // 2
    xp = np.zeros((C, H + 2 * p, W + 2 * p))
    xp[:, p:p + H, p:p + W] = x
    out = np.zeros((H, W))
    for yy in range(H):
        for xx in range(W):
            out[yy, xx] = np.sum(f * xp[:, yy:yy + k, xx:xx + k])
    return out


def test_factorized_conv_problem_residuals_match_direct_computation():
    torch.manual_seed(0)
    N, C, c, H, W, k = 3, 5, 2, 6, 7, 4
    X = torch.randn(N, C, H, W, dtype=torch.float64)
    y = torch.randn(N, 1, H, W, dtype=torch.float64)
    f = torch.randn(1, c, k, k, dtype=torch.float64)
    P = torch.randn(c, C, 1, 1, dtype=torch.float64)
    weights = torch.tensor([0.2, 0.3, 0.5], dtype=torch.float64)
    a = 0.05
    problem = FactorizedConvProblem(TensorList([X]), TensorList([y]), TensorList([0.1]), TensorList([1e-4]), None,
                                    TensorList([weights]), lambda t: t,
                                    lambda t: torch.nn.functional.elu(torch.nn.functional.leaky_relu(t, 1 / a), a))
    res = problem(TensorList([f, P]))
    assert len(res) == 3

    Xn, yn, fn, Pn, wn = X.numpy(), y.numpy(), f.numpy()[0], P.numpy()[:, :, 0, 0], weights.numpy()
    for j in range(N):
        compressed = np.einsum('dc,chw->dhw', Pn, Xn[j])
        expected = math.sqrt(wn[j]) * (mlu_np(same_conv_even_np(compressed, fn), a) - yn[j, 0])
        np.testing.assert_allclose(res[0][j, 0].numpy(), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res[1].numpy(), math.sqrt(0.1) * f.numpy(), rtol=1e-12)
    np.testing.assert_allclose(res[2].numpy(), math.sqrt(1e-4) * P.numpy(), rtol=1e-12)

    # Joint inner product over both blocks (the same value for each block) and the diagonal preconditioner.
    a_var = TensorList([torch.randn_like(f), torch.randn_like(P)])
    b_var = TensorList([torch.randn_like(f), torch.randn_like(P)])
    ip = problem.ip_input(a_var, b_var)
    expected_ip = float((a_var[0] * b_var[0]).sum() + (a_var[1] * b_var[1]).sum())
    assert all(abs(float(v) - expected_ip) < 1e-10 for v in ip)
    m = problem.M1(a_var)
    np.testing.assert_allclose(m[0].numpy(), a_var[0].numpy() / 0.1)
    np.testing.assert_allclose(m[1].numpy(), a_var[1].numpy() / 1e-4)


def test_conv_problem_residuals_match_direct_computation():
    torch.manual_seed(1)
    N, c, H, W, k = 4, 3, 5, 5, 4
    X = torch.randn(N, c, H, W, dtype=torch.float64)
    y = torch.randn(N, 1, H, W, dtype=torch.float64)
    f = torch.randn(1, c, k, k, dtype=torch.float64)
    weights = torch.tensor([0.1, 0.0, 0.6, 0.3], dtype=torch.float64)
    problem = ConvProblem(TensorList([X]), TensorList([y]), TensorList([0.1]), TensorList([weights]), lambda t: t)
    res = problem(TensorList([f]))
    for j in range(N):
        expected = math.sqrt(weights[j].item()) * (same_conv_even_np(X[j].numpy(), f[0].numpy()) - y[j, 0].numpy())
        np.testing.assert_allclose(res[0][j, 0].numpy(), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res[1].numpy(), math.sqrt(0.1) * f.numpy())


@pytest.mark.parametrize('kernel', [(4, 4), (3, 3), (4, 5), (1, 1)])
def test_filter_response_matmul_is_the_same_convolution(kernel):
    """filter_response(..., matmul=True) against operation.conv2d(mode='same'): values, gradients w.r.t. the
    filter and the Gauss-Newton double-backward product, for odd and even kernels, channels_last or not."""
    from pytracking.libs import operation
    from pytracking.tracker.atom.optim import filter_response
    g = torch.Generator().manual_seed(0)
    x = torch.randn(5, 8, 9, 7, generator=g, dtype=torch.float64)
    w = torch.randn(1, 8, *kernel, generator=g, dtype=torch.float64)
    for xs in (x, x.contiguous(memory_format=torch.channels_last)):
        ref = operation.conv2d(TensorList([xs]), TensorList([w]), mode='same')[0]
        out = filter_response(TensorList([xs]), TensorList([w]), matmul=True)[0]
        assert out.shape == ref.shape
        torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)

    def jtj(fn):
        wv = w.clone().requires_grad_(True)
        f0 = fn(wv)
        gdummy = f0.detach().requires_grad_(True)
        jt = torch.autograd.grad(f0, wv, gdummy, create_graph=True)
        jp = torch.autograd.grad(jt, gdummy, torch.ones_like(w), retain_graph=True)
        return torch.autograd.grad(f0, wv, jp)[0]
    torch.testing.assert_close(jtj(lambda v: filter_response(TensorList([x]), TensorList([v]), True)[0]),
                               jtj(lambda v: operation.conv2d(TensorList([x]), TensorList([v]), mode='same')[0]),
                               rtol=1e-10, atol=1e-10)


def test_gauss_newton_solution_is_the_same_with_filter_matmul():
    """The first-frame joint problem solved by GaussNewtonCG (6 x 10 CG steps) with and without the matmul filter:
    in float64 the solutions agree to 1e-10 (in float32 the CG amplifies the other rounding, hence the option is
    off by default)."""
    from pytracking.libs.optimization import GaussNewtonCG
    from pytracking.utils import TrackerParams
    g = torch.Generator().manual_seed(0)
    x = torch.randn(12, 32, 8, 8, generator=g, dtype=torch.float64)
    y = torch.rand(12, 1, 8, 8, generator=g, dtype=torch.float64)
    f0 = torch.randn(1, 16, 4, 4, generator=g, dtype=torch.float64) / 256
    p0 = torch.randn(16, 32, 1, 1, generator=g, dtype=torch.float64) / 6
    act = lambda v: torch.nn.functional.elu(torch.nn.functional.leaky_relu(v, 1 / 0.05), 0.05)  # noqa: E731
    solutions = []
    for matmul in (False, True):
        params = TrackerParams()
        params.filter_matmul = matmul
        problem = FactorizedConvProblem(TensorList([x]), TensorList([y]), TensorList([0.1]), TensorList([1e-4]),
                                        params, TensorList([torch.ones(1, dtype=torch.float64) / 12]),
                                        lambda v: v, act)
        var = TensorList([f0.clone(), p0.clone()])
        GaussNewtonCG(problem, var).run(10, 6)
        solutions.append(var)
    for a, b in zip(*solutions):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)
        assert not torch.equal(a, f0) and not torch.equal(a, p0)   # the solver moved
