"""Iterative solvers used by the online classifier: (preconditioned) conjugate gradient, Gauss-Newton,
Newton-CG and gradient descent, all over TensorList variables and written with autograd.

Conventions (as in pytracking):
- An ``L2Problem`` maps variables ``x`` to a TensorList of residuals ``r(x)``; the loss is
  ``ip_output(r, r)`` (no factor 1/2). ``ip_input`` is the inner product on the variables. It may return a
  scalar or a TensorList of inner products (one per variable group), in which case every CG step size is
  computed per group.
- ``M1``/``M2`` are the two halves of the preconditioner (identity by default).
- Gauss-Newton linearises ``r`` once per outer iteration and solves ``J^T J dx = -J^T r`` with CG, where the
  products ``J p`` are obtained with the double-backward trick (gradient of ``J^T g`` w.r.t. ``g``).
- The solvers update the given TensorList *in place*, so a tracker that holds the same tensors sees the
  new values.

Plotting/visdom arguments (``plotting``, ``fig_num``, ``visdom``) are accepted for pytracking's signatures and
ignored, except that ``plotting`` also records the losses as ``debug`` does; this port draws nothing.
"""

import torch

from .tensorlist import TensorList


def _as_scalar_sum(v):
    """Sum a scalar tensor or a TensorList/list of tensors to one tensor."""
    if isinstance(v, (TensorList, list, tuple)):
        return sum(v)
    return v


def _cpu_vec(v):
    return v.detach().cpu().view(-1)


class _ProblemBase:
    """What both problem kinds share: the inner product on the variables and the (identity) preconditioner."""

    def ip_input(self, a, b):
        """Inner product in the variable (input) space."""
        return sum(a.view(-1) @ b.view(-1))

    def M1(self, x):
        """First half of the preconditioner."""
        return x

    def M2(self, x):
        """Second half of the preconditioner."""
        return x


class L2Problem(_ProblemBase):
    """Base class for least-squares problems min_x ||r(x)||^2."""

    def __call__(self, x: TensorList) -> TensorList:
        """Return the residuals r(x)."""
        raise NotImplementedError

    def ip_output(self, a, b):
        """Inner product in the residual (output) space; the loss is ip_output(r, r)."""
        return sum(a.view(-1) @ b.view(-1))


class MinimizationProblem(_ProblemBase):
    """Base class for general minimisation problems min_x f(x) with scalar f."""

    def __call__(self, x: TensorList) -> TensorList:
        """Return the scalar loss f(x)."""
        raise NotImplementedError


class ConjugateGradientBase:
    """Preconditioned conjugate gradient for A x = b, with A, b and the inner product given by subclasses.

    args:
        fletcher_reeves - beta = rho/rho_prev (Fletcher-Reeves) if True, else Polak-Ribiere
            beta = (rho - <r_prev, z>)/rho_prev. Beta is clamped at 0 in both cases.
        standard_alpha - alpha = rho/<p, A p> if True, else <p, r>/<p, A p>.
        direction_forget_factor - 0 restarts CG from scratch at every ``run_CG``; otherwise the search
            direction is kept between calls and ``rho`` is divided by this factor (warm restart).
        debug - record residual norms (returned as ``resvec``).
    The solvers below also accept pytracking's drawing arguments (``plotting``, ``fig_num``, ``visdom``): kept for
    its signatures, they only switch the loss recording on (``plotting``); nothing is drawn.
    """

    def __init__(self, fletcher_reeves=True, standard_alpha=True, direction_forget_factor=0, debug=False):
        self.fletcher_reeves = fletcher_reeves
        self.standard_alpha = standard_alpha
        self.direction_forget_factor = direction_forget_factor
        self.debug = debug

        # CG state
        self.p = None
        self.rho = torch.ones(1)
        self.r_prev = None

        # Right-hand side
        self.b = None

    def reset_state(self):
        self.p = None
        self.rho = torch.ones(1)
        self.r_prev = None

    def run_CG(self, num_iter, x=None, eps=0.0):
        """Run ``num_iter`` CG iterations on A x = self.b.

        args:
            num_iter - number of iterations.
            x - initial guess (None means 0; the returned x is then a new TensorList).
            eps - stop when the residual norm falls to eps or below (0 disables).
        returns:
            (x, resvec): the solution (None if no iteration ran from x=None) and, in debug mode, the
            residual norms (initial one first), else None.
        """
        if self.direction_forget_factor == 0:
            self.reset_state()
        elif self.p is not None:
            self.rho /= self.direction_forget_factor

        if x is None:
            r = self.b.clone()
        else:
            r = self.b - self.A(x)

        resvec = None
        if self.debug:
            resvec = torch.zeros(num_iter + 1)
            resvec[0] = self.residual_norm(r)

        num_done = 0
        for ii in range(num_iter):
            z = self.M2(self.M1(r))  # preconditioned residual

            rho_prev = self.rho
            self.rho = self.ip(r, z)

            if self.check_zero(self.rho):
                if self.debug:
                    print('Stopped CG since rho = 0')
                    resvec = resvec[:ii + 1]
                return x, resvec

            if self.p is None:
                self.p = z.clone()
            else:
                if self.fletcher_reeves:
                    beta = self.rho / rho_prev
                else:
                    beta = (self.rho - self.ip(self.r_prev, z)) / rho_prev
                beta = beta.clamp(0)
                self.p = z + self.p * beta

            q = self.A(self.p)
            pq = self.ip(self.p, q)

            if self.standard_alpha:
                alpha = self.rho / pq
            else:
                alpha = self.ip(self.p, r) / pq

            # Polak-Ribiere needs the previous residual.
            if not self.fletcher_reeves:
                self.r_prev = r.clone()

            if x is None:
                x = self.p * alpha
            else:
                x += self.p * alpha

            # The residual after the last step is not needed (unless it is being recorded).
            if ii < num_iter - 1 or self.debug:
                r -= q * alpha

            num_done = ii + 1
            normr = None
            if eps > 0.0 or self.debug:
                normr = self.residual_norm(r)

            if self.debug:
                self.evaluate_CG_iteration(x)
                resvec[ii + 1] = normr

            if eps > 0 and normr <= eps:
                if self.debug:
                    print('Stopped CG since norm smaller than eps')
                break

        if resvec is not None:
            resvec = resvec[:num_done + 1]

        return x, resvec

    def A(self, x):
        """The system operator (must be implemented)."""
        raise NotImplementedError

    def ip(self, a, b):
        """Inner product used by CG."""
        return a.view(-1) @ b.view(-1)

    def residual_norm(self, r):
        res = self.ip(r, r).sum()
        return _as_scalar_sum(res).sqrt()

    def check_zero(self, s, eps=0.0):
        """True if any of the inner products in ``s`` is (numerically) zero."""
        ss = s.abs() <= eps
        ss = _as_scalar_sum(ss)
        return ss.item() > 0

    def M1(self, x):
        return x

    def M2(self, x):
        return x

    def evaluate_CG_iteration(self, x):
        pass


class _ProblemOperators:
    """Inner product and preconditioners of the solvers that optimise `self.problem`: the problem's own."""

    def ip(self, a, b):
        return self.problem.ip_input(a, b)

    def M1(self, x):
        return self.problem.M1(x)

    def M2(self, x):
        return self.problem.M2(x)


class _GaussNewtonLinearisation:
    """Linearisation of an L2Problem shared by ConjugateGradient and GaussNewtonCG: the residuals r(x) with a graph,
    J^T g with a graph w.r.t. a dummy g, the right-hand side b = -J^T r, and the product A p = J^T J p."""

    def _setup_linearisation(self, problem, variable, cg_eps, plotting, visdom, fig_num):
        self.problem = problem
        self.x = variable
        self.plotting = plotting
        self.fig_num = fig_num
        self.visdom = visdom
        self.cg_eps = cg_eps
        self.clear_temp()
        self.residuals = torch.zeros(0)
        self.losses = torch.zeros(0)

    def clear_temp(self):
        self.f0 = None
        self.g = None
        self.dfdxt_g = None

    def _linearise(self):
        self.x.requires_grad_(True)
        self.f0 = self.problem(self.x)
        self.g = self.f0.detach()
        self.g.requires_grad_(True)
        self.dfdxt_g = TensorList(torch.autograd.grad(self.f0, self.x, self.g, create_graph=True))
        self.b = -self.dfdxt_g.detach()

    def A(self, x):
        # J x = d(J^T g)/dg applied to x; then J^T (J x).
        dfdx_x = torch.autograd.grad(self.dfdxt_g, self.g, x, retain_graph=True)
        return TensorList(torch.autograd.grad(self.f0, self.x, dfdx_x, retain_graph=True))


def _record_convergence(solver, delta_x, loss_of):
    """Analyze mode: append the loss and the gradient norm at x + delta_x to the solver's histories."""
    x = (solver.x + delta_x).detach()
    x.requires_grad_(True)
    loss = loss_of(x)
    grad = TensorList(torch.autograd.grad(loss, x))
    solver.losses = torch.cat((solver.losses, _cpu_vec(loss)))
    solver.gradient_mags = torch.cat((solver.gradient_mags, _cpu_vec(sum(grad.view(-1) @ grad.view(-1)).sqrt())))


class ConjugateGradient(_GaussNewtonLinearisation, _ProblemOperators, ConjugateGradientBase):
    """One Gauss-Newton step of an L2Problem: linearise once, then run CG on the normal equations."""

    def __init__(self, problem: L2Problem, variable: TensorList, cg_eps=0.0, fletcher_reeves=True,
                 standard_alpha=True, direction_forget_factor=0, debug=False, plotting=False, visdom=None):
        super().__init__(fletcher_reeves, standard_alpha, direction_forget_factor, debug or plotting)
        self._setup_linearisation(problem, variable, cg_eps, plotting, visdom, (10, 11))

    def run(self, num_cg_iter):
        """Linearise at the current x, run ``num_cg_iter`` CG iterations and update x in place."""
        if num_cg_iter == 0:
            return

        lossvec = None
        if self.debug:
            lossvec = torch.zeros(2)

        self._linearise()
        if self.debug:
            lossvec[0] = self.problem.ip_output(self.f0.detach(), self.f0.detach())

        delta_x, res = self.run_CG(num_cg_iter, eps=self.cg_eps)

        self.x.detach_()
        if delta_x is not None:
            self.x += delta_x

        if self.debug:
            f = self.problem(self.x)
            lossvec[-1] = self.problem.ip_output(f, f)
            self.residuals = torch.cat((self.residuals, res))
            self.losses = torch.cat((self.losses, lossvec))

        self.x.detach_()
        self.clear_temp()


class GaussNewtonCG(_GaussNewtonLinearisation, _ProblemOperators, ConjugateGradientBase):
    """Gauss-Newton for an L2Problem with CG as the inner solver."""

    def __init__(self, problem: L2Problem, variable: TensorList, cg_eps=0.0, fletcher_reeves=True,
                 standard_alpha=True, direction_forget_factor=0, debug=False, analyze=False, plotting=False,
                 visdom=None):
        super().__init__(fletcher_reeves, standard_alpha, direction_forget_factor, debug or analyze or plotting)
        self._setup_linearisation(problem, variable, cg_eps, plotting, visdom, (10, 11, 12))
        self.analyze_convergence = analyze
        self.gradient_mags = torch.zeros(0)

    def run_GN(self, *args, **kwargs):
        return self.run(*args, **kwargs)

    def run(self, num_cg_iter, num_gn_iter=None):
        """Run Gauss-Newton.

        args:
            num_cg_iter - CG iterations per GN iteration: an int (then ``num_gn_iter`` is required) or a list
                giving the CG count of each GN iteration.
            num_gn_iter - number of GN iterations when ``num_cg_iter`` is an int.
        returns:
            (losses, residuals) recorded in debug/analyze mode (empty tensors otherwise).
        """
        if isinstance(num_cg_iter, int):
            if num_gn_iter is None:
                raise ValueError('GaussNewtonCG.run: num_gn_iter must be given when num_cg_iter is an int')
            num_cg_iter = [num_cg_iter] * num_gn_iter

        if len(num_cg_iter) == 0:
            return self.losses, self.residuals

        if self.analyze_convergence:
            self.evaluate_CG_iteration(0)

        for cg_iter in num_cg_iter:
            self.run_GN_iter(cg_iter)

        if self.debug and not self.analyze_convergence:
            f = self.problem(self.x)
            loss = self.problem.ip_output(f, f)
            self.losses = torch.cat((self.losses, _cpu_vec(loss)))

        self.x.detach_()
        self.clear_temp()

        return self.losses, self.residuals

    def run_GN_iter(self, num_cg_iter):
        """One Gauss-Newton iteration: linearise, solve with CG, update x in place."""
        self._linearise()
        if self.debug and not self.analyze_convergence:
            loss = self.problem.ip_output(self.g.detach(), self.g.detach())
            self.losses = torch.cat((self.losses, _cpu_vec(loss)))

        delta_x, res = self.run_CG(num_cg_iter, eps=self.cg_eps)

        self.x.detach_()
        if delta_x is not None:
            self.x += delta_x

        if self.debug:
            self.residuals = torch.cat((self.residuals, res))

    def evaluate_CG_iteration(self, delta_x):
        """In analyze mode: record the loss and gradient norm at x + delta_x."""
        if self.analyze_convergence:
            def loss_of(x):
                f = self.problem(x)
                return self.problem.ip_output(f, f)
            _record_convergence(self, delta_x, loss_of)


class _MomentumDescent:
    """Gradient descent with momentum; subclasses say what the loss is (`_loss_and_grad`).

    The momentum direction lives only within one ``run`` call.
    """

    def _setup(self, problem, variable, step_length, momentum, debug, plotting, fig_num):
        self.problem = problem
        self.x = variable

        self.step_legnth = step_length  # (sic) pytracking's attribute name
        self.momentum = momentum

        self.debug = debug or plotting
        self.plotting = plotting
        self.fig_num = fig_num

        self.losses = torch.zeros(0)
        self.gradient_mags = torch.zeros(0)
        self.residuals = None

        self.clear_temp()

    @property
    def step_length(self):
        return self.step_legnth

    def clear_temp(self):
        self.dir = None

    def _loss_and_grad(self):
        raise NotImplementedError

    def run(self, num_iter, dummy=None):
        if num_iter == 0:
            return

        lossvec = grad_mags = None
        if self.debug:
            lossvec = torch.zeros(num_iter + 1)
            grad_mags = torch.zeros(num_iter + 1)

        for i in range(num_iter):
            loss, grad = self._loss_and_grad()

            if self.dir is None:
                self.dir = grad
            else:
                self.dir = grad + self.momentum * self.dir

            self.x.detach_()
            self.x -= self.step_legnth * self.dir

            if self.debug:
                lossvec[i] = loss.item()
                grad_mags[i] = sum(grad.view(-1) @ grad.view(-1)).sqrt().item()

        if self.debug:
            loss, grad = self._loss_and_grad()
            lossvec[-1] = loss.item()
            grad_mags[-1] = sum(grad.view(-1) @ grad.view(-1)).sqrt().item()
            self.losses = torch.cat((self.losses, lossvec))
            self.gradient_mags = torch.cat((self.gradient_mags, grad_mags))

        self.x.detach_()
        self.clear_temp()


class GradientDescentL2(_MomentumDescent):
    """Gradient descent with momentum on the L2 loss ip_output(r, r) of an L2Problem."""

    def __init__(self, problem: L2Problem, variable: TensorList, step_length: float, momentum: float = 0.0,
                 debug=False, plotting=False, visdom=None):
        self.visdom = visdom
        self._setup(problem, variable, step_length, momentum, debug, plotting, (10, 11))

    def clear_temp(self):
        self.f0 = None
        self.dir = None

    def _loss_and_grad(self):
        self.x.requires_grad_(True)
        self.f0 = self.problem(self.x)
        loss = self.problem.ip_output(self.f0, self.f0)
        grad = TensorList(torch.autograd.grad(loss, self.x))
        return loss, grad


class NewtonCG(_ProblemOperators, ConjugateGradientBase):
    """Newton's method for a MinimizationProblem, CG on the (regularised) Hessian.

    The Hessian regulariser ``hessian_reg`` (added as ``hessian_reg * x`` to H x) starts at
    ``init_hessian_reg`` and is multiplied by ``hessian_reg_factor`` after every Newton iteration.
    """

    def __init__(self, problem: MinimizationProblem, variable: TensorList, init_hessian_reg=0.0,
                 hessian_reg_factor=1.0, cg_eps=0.0, fletcher_reeves=True, standard_alpha=True,
                 direction_forget_factor=0, debug=False, analyze=False, plotting=False, fig_num=(10, 11, 12)):
        super().__init__(fletcher_reeves, standard_alpha, direction_forget_factor, debug or analyze or plotting)

        self.problem = problem
        self.x = variable

        self.analyze_convergence = analyze
        self.plotting = plotting
        self.fig_num = fig_num

        self.hessian_reg = init_hessian_reg
        self.hessian_reg_factor = hessian_reg_factor
        self.cg_eps = cg_eps
        self.f0 = None
        self.g = None

        self.residuals = torch.zeros(0)
        self.losses = torch.zeros(0)
        self.gradient_mags = torch.zeros(0)

    def clear_temp(self):
        self.f0 = None
        self.g = None

    def run(self, num_cg_iter, num_newton_iter=None):
        """Run Newton iterations (``num_cg_iter`` int with ``num_newton_iter`` (default 1), or a list)."""
        if isinstance(num_cg_iter, int):
            if num_cg_iter == 0:
                return
            if num_newton_iter is None:
                num_newton_iter = 1
            num_cg_iter = [num_cg_iter] * num_newton_iter

        if len(num_cg_iter) == 0:
            return

        if self.analyze_convergence:
            self.evaluate_CG_iteration(0)

        for cg_iter in num_cg_iter:
            self.run_newton_iter(cg_iter)
            self.hessian_reg *= self.hessian_reg_factor

        if self.debug and not self.analyze_convergence:
            loss = self.problem(self.x)
            self.losses = torch.cat((self.losses, _cpu_vec(loss)))

        self.x.detach_()
        self.clear_temp()

        return self.losses, self.residuals

    def run_newton_iter(self, num_cg_iter):
        self.x.requires_grad_(True)

        self.f0 = self.problem(self.x)

        if self.debug and not self.analyze_convergence:
            self.losses = torch.cat((self.losses, _cpu_vec(self.f0)))

        # Gradient with graph, for Hessian-vector products.
        self.g = TensorList(torch.autograd.grad(self.f0, self.x, create_graph=True))
        self.b = -self.g.detach()

        delta_x, res = self.run_CG(num_cg_iter, eps=self.cg_eps)

        self.x.detach_()
        if delta_x is not None:
            self.x += delta_x

        if self.debug:
            self.residuals = torch.cat((self.residuals, res))

    def A(self, x):
        return TensorList(torch.autograd.grad(self.g, self.x, x, retain_graph=True)) + self.hessian_reg * x

    def evaluate_CG_iteration(self, delta_x):
        """In analyze mode: record the loss and gradient norm at x + delta_x."""
        if self.analyze_convergence:
            _record_convergence(self, delta_x, self.problem)


class GradientDescent(_MomentumDescent):
    """Gradient descent with momentum on a general MinimizationProblem."""

    def __init__(self, problem: MinimizationProblem, variable: TensorList, step_length: float,
                 momentum: float = 0.0, debug=False, plotting=False, fig_num=(10, 11)):
        self._setup(problem, variable, step_length, momentum, debug, plotting, fig_num)

    def _loss_and_grad(self):
        self.x.requires_grad_(True)
        loss = self.problem(self.x)
        grad = TensorList(torch.autograd.grad(loss, self.x))
        return loss, grad
