"""Complex arithmetic on pytracking's legacy layout: a complex tensor is a real tensor whose last dimension
has size 2 (real, imaginary), as produced by the old ``torch.rfft``.

A tensor counts as complex when it has at least 4 dimensions and a trailing dimension of size 2
(``is_complex``); anything else is real. Functions accept TensorLists (``@tensor_operation``).
Internally the products are computed with torch's native complex dtype and converted back.
"""

import torch

from .tensorlist import tensor_operation


def is_complex(a: torch.Tensor) -> bool:
    return a.dim() >= 4 and a.shape[-1] == 2


def is_real(a: torch.Tensor) -> bool:
    return not is_complex(a)


def _check_complex(a, name='input'):
    if is_real(a):
        raise ValueError('{}: expected a complex tensor in (..., 2) layout with >= 4 dims, got shape {}'.format(
            name, tuple(a.shape)))


def _to_native(a):
    return torch.complex(a[..., 0], a[..., 1])


def _from_native(c):
    return torch.view_as_real(c)


@tensor_operation
def mult(a: torch.Tensor, b: torch.Tensor):
    """Pointwise complex multiplication (either operand may be real, with one dimension less)."""
    if is_real(a):
        if a.dim() >= b.dim():
            raise ValueError('mult: a real operand needs one dimension less than the complex one '
                             '(got shapes {} and {})'.format(tuple(a.shape), tuple(b.shape)))
        return mult_real_cplx(a, b)
    if is_real(b):
        if b.dim() >= a.dim():
            raise ValueError('mult: a real operand needs one dimension less than the complex one '
                             '(got shapes {} and {})'.format(tuple(a.shape), tuple(b.shape)))
        return mult_real_cplx(b, a)
    return _from_native(_to_native(a) * _to_native(b))


@tensor_operation
def mult_conj(a: torch.Tensor, b: torch.Tensor):
    """Pointwise a * conj(b)."""
    if is_real(a):
        if a.dim() >= b.dim():
            raise ValueError('mult_conj: incorrect dimensions {} and {}'.format(tuple(a.shape), tuple(b.shape)))
        return mult_real_cplx(a, conj(b))
    if is_real(b):
        if b.dim() >= a.dim():
            raise ValueError('mult_conj: incorrect dimensions {} and {}'.format(tuple(a.shape), tuple(b.shape)))
        return mult_real_cplx(b, a)
    return _from_native(_to_native(a) * _to_native(b).conj())


@tensor_operation
def mult_real_cplx(a: torch.Tensor, b: torch.Tensor):
    """Real a times complex b."""
    _check_complex(b, 'mult_real_cplx: b')
    return a.unsqueeze(-1) * b


@tensor_operation
def div(a: torch.Tensor, b: torch.Tensor):
    """Pointwise complex division a / b."""
    if is_real(b):
        if b.dim() >= a.dim():
            raise ValueError('div: incorrect dimensions {} and {}'.format(tuple(a.shape), tuple(b.shape)))
        return div_cplx_real(a, b)
    if is_real(a):
        return div_cplx_real(mult_real_cplx(a, conj(b)), abs_sqr(b))
    return _from_native(_to_native(a) / _to_native(b))


@tensor_operation
def div_cplx_real(a: torch.Tensor, b: torch.Tensor):
    """Complex a divided by real b."""
    _check_complex(a, 'div_cplx_real: a')
    return a / b.unsqueeze(-1)


@tensor_operation
def abs_sqr(a: torch.Tensor):
    """|a|^2."""
    _check_complex(a, 'abs_sqr')
    return torch.sum(a * a, -1)


@tensor_operation
def abs(a: torch.Tensor):
    """|a|."""
    return torch.sqrt(abs_sqr(a))


@tensor_operation
def conj(a: torch.Tensor):
    """Complex conjugate."""
    _check_complex(a, 'conj')
    return torch.cat((a[..., :1], -a[..., 1:]), -1)


@tensor_operation
def real(a: torch.Tensor):
    _check_complex(a, 'real')
    return a[..., 0]


@tensor_operation
def imag(a: torch.Tensor):
    _check_complex(a, 'imag')
    return a[..., 1]


@tensor_operation
def complex(a: torch.Tensor, b: torch.Tensor = None):
    """Build a complex tensor from real part a and imaginary part b (either may be None = zeros)."""
    if a is None and b is None:
        raise ValueError('complex: at least one of the real part a and imaginary part b must be given')
    if b is None:
        b = a.new_zeros(a.shape)
    elif a is None:
        a = b.new_zeros(b.shape)
    return torch.cat((a.unsqueeze(-1), b.unsqueeze(-1)), -1)


@tensor_operation
def mtimes(a: torch.Tensor, b: torch.Tensor, conj_a=False, conj_b=False):
    """Complex matrix multiplication over the two dimensions before the complex one."""
    if is_real(a):
        if is_real(b):
            raise ValueError('mtimes: at least one operand must be complex; use @ for real matrices')
        return mtimes_real_complex(a, b, conj_b=conj_b)
    if is_real(b):
        return mtimes_complex_real(a, b, conj_a=conj_a)
    ca, cb = _to_native(a), _to_native(b)
    if conj_a:
        ca = ca.conj()
    if conj_b:
        cb = cb.conj()
    return _from_native(torch.matmul(ca, cb).resolve_conj())


@tensor_operation
def mtimes_real_complex(a: torch.Tensor, b: torch.Tensor, conj_b=False):
    _check_complex(b, 'mtimes_real_complex: b')
    im = torch.matmul(a, b[..., 1])
    return complex(torch.matmul(a, b[..., 0]), -im if conj_b else im)


@tensor_operation
def mtimes_complex_real(a: torch.Tensor, b: torch.Tensor, conj_a=False):
    _check_complex(a, 'mtimes_complex_real: a')
    im = torch.matmul(a[..., 1], b)
    return complex(torch.matmul(a[..., 0], b), -im if conj_a else im)


@tensor_operation
def exp_imag(a: torch.Tensor):
    """exp(i a) for real a."""
    a = a.unsqueeze(-1)
    return torch.cat((torch.cos(a), torch.sin(a)), -1)
