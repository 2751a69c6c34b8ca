"""Solvers in pytracking.libs.optimization against closed-form numpy solutions."""
import numpy as np
import pytest
import torch

from pytracking.libs import TensorList
from pytracking.libs.optimization import (
    ConjugateGradient,
    ConjugateGradientBase,
    GaussNewtonCG,
    GradientDescent,
    GradientDescentL2,
    L2Problem,
    MinimizationProblem,
    NewtonCG,
)

DT = torch.float64


class LinearLSQ(L2Problem):
    """r(x) = [A1 x1 + A2 x2 - c,  sqrt(lam) x1,  sqrt(lam) x2]  (two variable groups)."""

    def __init__(self, A1, A2, c, lam):
        self.A1, self.A2, self.c, self.lam = A1, A2, c, lam

    def __call__(self, x):
        data = self.A1 @ x[0] + self.A2 @ x[1] - self.c
        return TensorList([data, self.lam ** 0.5 * x[0], self.lam ** 0.5 * x[1]])


class PerGroupIP(LinearLSQ):
    """Same problem, but ip_input returns the joint product duplicated per group (as ATOM's FactorizedConvProblem)."""

    def ip_input(self, a, b):
        ip = sum(a.view(-1) @ b.view(-1))
        return TensorList([ip, ip.clone()])


def make_lsq(seed=0, m=7, n1=3, n2=2, lam=0.1):
    g = np.random.default_rng(seed)
    A1, A2, c = g.normal(size=(m, n1)), g.normal(size=(m, n2)), g.normal(size=m)
    # closed form of the regularised least squares
    A = np.hstack([A1, A2])
    x = np.linalg.solve(A.T @ A + lam * np.eye(n1 + n2), A.T @ c)
    t = lambda a: torch.tensor(a, dtype=DT)
    return t(A1), t(A2), t(c), lam, x[:n1], x[n1:]


@pytest.mark.parametrize('fletcher_reeves', [True, False])
@pytest.mark.parametrize('standard_alpha', [True, False])
@pytest.mark.parametrize('problem_cls', [LinearLSQ, PerGroupIP])
def test_gauss_newton_cg_reaches_closed_form(fletcher_reeves, standard_alpha, problem_cls):
    A1, A2, c, lam, x1, x2 = make_lsq()
    x = TensorList([torch.zeros(3, dtype=DT), torch.zeros(2, dtype=DT)])
    x0_tensor = x[0]
    opt = GaussNewtonCG(problem_cls(A1, A2, c, lam), x, fletcher_reeves=fletcher_reeves,
                        standard_alpha=standard_alpha)
    opt.run(5, 2)  # linear problem: 5 CG iterations (= #unknowns) solve it exactly
    np.testing.assert_allclose(x[0].numpy(), x1, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(x[1].numpy(), x2, rtol=1e-9, atol=1e-10)
    assert x[0] is x0_tensor and not x[0].requires_grad  # updated in place, left detached


def test_gauss_newton_list_of_cg_iters_and_debug_losses_decrease():
    A1, A2, c, lam, x1, x2 = make_lsq(seed=1)
    x = TensorList([torch.zeros(3, dtype=DT), torch.zeros(2, dtype=DT)])
    opt = GaussNewtonCG(LinearLSQ(A1, A2, c, lam), x, debug=True)
    losses, residuals = opt.run([2, 2, 5])
    assert len(losses) == 4  # one per GN iteration + final
    assert losses[-1] <= losses[0]
    # final loss equals the closed-form minimum ||A x - c||^2 + lam ||x||^2
    A = np.hstack([A1.numpy(), A2.numpy()]); xs = np.concatenate([x1, x2])
    fmin = np.sum((A @ xs - c.numpy()) ** 2) + lam * np.sum(xs ** 2)
    assert abs(losses[-1].item() - fmin) < 1e-9
    with pytest.raises(ValueError):
        opt.run(3)  # int CG count needs num_gn_iter


def test_conjugate_gradient_one_linearisation_solves_normal_equations():
    A1, A2, c, lam, x1, x2 = make_lsq(seed=2)
    x = TensorList([torch.zeros(3, dtype=DT), torch.zeros(2, dtype=DT)])
    ConjugateGradient(LinearLSQ(A1, A2, c, lam), x, fletcher_reeves=False).run(5)
    np.testing.assert_allclose(torch.cat(list(x)).numpy(), np.concatenate([x1, x2]), rtol=1e-9, atol=1e-10)


class SPDSolver(ConjugateGradientBase):
    def __init__(self, M, b, **kw):
        super().__init__(**kw)
        self.M = M
        self.b = TensorList([b])

    def A(self, x):
        return TensorList([self.M @ x[0]])

    def ip(self, a, b):
        return sum(a.view(-1) @ b.view(-1))


@pytest.mark.parametrize('fletcher_reeves', [True, False])
def test_cg_base_solves_spd_system(fletcher_reeves):
    g = np.random.default_rng(3)
    B = g.normal(size=(6, 6))
    M = B @ B.T + 6 * np.eye(6)
    b = g.normal(size=6)
    expected = np.linalg.solve(M, b)
    solver = SPDSolver(torch.tensor(M), torch.tensor(b), fletcher_reeves=fletcher_reeves)
    x, resvec = solver.run_CG(6)
    assert resvec is None
    np.testing.assert_allclose(x[0].numpy(), expected, rtol=1e-8, atol=1e-10)
    # starting from a given x gives the same answer
    x, _ = solver.run_CG(6, x=TensorList([torch.ones(6, dtype=DT)]))
    np.testing.assert_allclose(x[0].numpy(), expected, rtol=1e-8, atol=1e-10)


def test_cg_eps_stops_early_and_debug_records_residuals():
    M = np.diag([1., 2., 3., 4.])
    b = np.ones(4)
    solver = SPDSolver(torch.tensor(M), torch.tensor(b), debug=True)
    x, resvec = solver.run_CG(10, eps=1e-8)
    # 4 distinct eigenvalues -> exact after 4 iterations, so it stops there
    assert len(resvec) == 5
    assert resvec[0].item() == pytest.approx(2.0)  # ||b||
    np.testing.assert_allclose(x[0].numpy(), b / np.diag(M), rtol=1e-10)


def test_cg_zero_rhs_stops_immediately():
    solver = SPDSolver(torch.eye(3, dtype=DT), torch.zeros(3, dtype=DT))
    x, _ = solver.run_CG(3)
    assert x is None  # rho == 0 at the first iteration, nothing done


def test_direction_forget_factor_keeps_state_between_calls():
    M = torch.tensor(np.diag([1., 2., 3.]))
    b = torch.ones(3, dtype=DT)
    solver = SPDSolver(M, b, direction_forget_factor=0.5)
    x, _ = solver.run_CG(1)
    rho_after_first = solver.rho.clone()
    assert solver.p is not None
    solver.run_CG(1, x=x)
    # the second call started from the kept direction with rho divided by the factor (not reset)
    solver2 = SPDSolver(M, b, direction_forget_factor=0)
    solver2.run_CG(1)
    solver2.run_CG(1, x=x.clone())
    assert not torch.allclose(solver.p[0], solver2.p[0])
    assert rho_after_first.numel() == 1


def test_gradient_descent_l2_single_step_by_hand():
    # r(x) = x - 3  =>  loss = (x-3)^2, grad = 2 (x-3); one step from 0 with step 0.25: 0 - 0.25*(-6) = 1.5
    class P(L2Problem):
        def __call__(self, x):
            return TensorList([x[0] - 3])

    x = TensorList([torch.zeros(1, dtype=DT)])
    GradientDescentL2(P(), x, step_length=0.25).run(1)
    assert x[0].item() == pytest.approx(1.5)
    # with momentum 0.5: step 2 from 1.5: grad=-3, dir=-3+0.5*(-6)=-6 -> 1.5+0.25*6=3.0
    x = TensorList([torch.zeros(1, dtype=DT)])
    GradientDescentL2(P(), x, step_length=0.25, momentum=0.5).run(2)
    assert x[0].item() == pytest.approx(3.0)


class Quadratic(MinimizationProblem):
    def __init__(self, H, c):
        self.H, self.c = H, c

    def __call__(self, x):
        return 0.5 * x[0] @ (self.H @ x[0]) - self.c @ x[0]


def test_newton_cg_and_gradient_descent_on_quadratic():
    H = torch.tensor([[3., 1.], [1., 2.]], dtype=DT)
    c = torch.tensor([1., -1.], dtype=DT)
    expected = np.linalg.solve(H.numpy(), c.numpy())
    x = TensorList([torch.zeros(2, dtype=DT)])
    NewtonCG(Quadratic(H, c), x).run(2)
    np.testing.assert_allclose(x[0].numpy(), expected, rtol=1e-10)
    # Hessian regulariser: solves (H + reg I) dx = -grad in the one Newton step
    x = TensorList([torch.zeros(2, dtype=DT)])
    NewtonCG(Quadratic(H, c), x, init_hessian_reg=1.0).run(2, 1)
    np.testing.assert_allclose(x[0].numpy(), np.linalg.solve(H.numpy() + np.eye(2), c.numpy()), rtol=1e-10)
    x = TensorList([torch.zeros(2, dtype=DT)])
    GradientDescent(Quadratic(H, c), x, step_length=0.2, momentum=0.1).run(300)
    np.testing.assert_allclose(x[0].numpy(), expected, rtol=1e-8)


class ConvFilterProblem(L2Problem):
    """ATOM's ConvProblem shape: residuals sqrt(w_j)(conv2d(X_j, f, 'same') - y_j) and sqrt(reg) f, with the
    per-filter inner product conv2d(a, b).view(-1)."""

    def __init__(self, X, y, w, reg):
        self.X, self.y, self.w, self.reg = X, y, w, reg

    def __call__(self, x):
        from pytracking.libs import operation
        resp = operation.conv2d(self.X, x[0], mode="same")
        return TensorList([(resp - self.y) * self.w.sqrt().view(-1, 1, 1, 1), self.reg ** 0.5 * x[0]])

    def ip_input(self, a, b):
        from pytracking.libs import operation
        return operation.conv2d(a, b).view(-1)


def test_conjugate_gradient_on_conv_filter_problem_matches_lstsq():
    g = np.random.default_rng(4)
    N, C, H, W, k = 3, 1, 5, 5, 4  # even kernel, as ATOM's 4x4 filter
    X = g.normal(size=(N, C, H, W))
    y = g.normal(size=(N, 1, H, W))
    w = np.array([0.5, 0.3, 0.2])
    reg = 0.1
    # independent reference: im2col with ATOM's 'same' convention for even kernels (pad k//2, drop last row/col)
    Xp = np.pad(X, ((0, 0), (0, 0), (k // 2, k // 2), (k // 2, k // 2)))
    rows, rhs = [], []
    for n in range(N):
        for i in range(H):
            for j in range(W):
                rows.append(np.sqrt(w[n]) * Xp[n, :, i:i + k, j:j + k].reshape(-1))
                rhs.append(np.sqrt(w[n]) * y[n, 0, i, j])
    A = np.vstack(rows + [np.sqrt(reg) * np.eye(C * k * k)])
    b = np.concatenate([rhs, np.zeros(C * k * k)])
    f_ref = np.linalg.lstsq(A, b, rcond=None)[0].reshape(1, C, k, k)

    f = TensorList([torch.zeros(1, C, k, k, dtype=DT)])
    prob = ConvFilterProblem(torch.tensor(X), torch.tensor(y), torch.tensor(w), reg)
    opt = ConjugateGradient(prob, f, fletcher_reeves=False, debug=True)
    for _ in range(2):
        opt.run(C * k * k)
    np.testing.assert_allclose(f[0].numpy(), f_ref, rtol=1e-6, atol=1e-8)
    assert opt.losses[-1] <= opt.losses[0]
