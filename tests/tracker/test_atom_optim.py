"""ATOM's least-squares problems against a direct (loop) computation of the residuals in numpy."""
import math

import numpy as np
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
