"""Correlation-filter helpers: cosine (Hann) windows, Gaussian labels, peak finding, and the ECO Fourier-domain
interpolation / regularisation filters (legacy (..., 2) complex layout, see ``fourier.py``)."""

import math

import torch
import torch.nn.functional as F

from . import complex, fourier
from .tensorlist import tensor_operation


def hann1d(sz: int, centered=True) -> torch.Tensor:
    """1-D cosine window of ``sz`` samples.

    centered=True: 0.5(1 - cos(2 pi n / (sz+1))), n = 1..sz (peak in the middle, no zero samples).
    centered=False: the window with its peak at index 0, wrapped around (for FFT-ordered maps).
    """
    sz = int(sz)
    if centered:
        return 0.5 * (1 - torch.cos((2 * math.pi / (sz + 1)) * torch.arange(1, sz + 1).float()))
    w = 0.5 * (1 + torch.cos((2 * math.pi / (sz + 2)) * torch.arange(0, sz // 2 + 1).float()))
    return torch.cat([w, w[1:sz - sz // 2].flip((0,))])


def hann2d(sz: torch.Tensor, centered=True) -> torch.Tensor:
    """2-D cosine window of size sz = (H, W), shape 1x1xHxW."""
    return hann1d(int(sz[0]), centered).reshape(1, 1, -1, 1) * hann1d(int(sz[1]), centered).reshape(1, 1, 1, -1)


def hann2d_clipped(sz: torch.Tensor, effective_sz: torch.Tensor, centered=True) -> torch.Tensor:
    """A cosine window of ``effective_sz`` placed in the middle of a ``sz`` map, padded with its edge values.

    The effective size is first increased by one where needed so that (sz - effective_sz) is even.
    Fixes vs pytracking (both only broke things): the caller's ``effective_sz`` tensor is no longer modified in
    place, and a fractional ``effective_sz`` is truncated to whole samples first (pytracking then produced a
    window one sample short of ``sz``).
    """
    sz = torch.as_tensor(sz).long()
    effective_sz = torch.as_tensor(effective_sz).long()
    effective_sz = effective_sz + (effective_sz - sz) % 2
    effective_window = (hann1d(int(effective_sz[0]), True).reshape(1, 1, -1, 1) *
                        hann1d(int(effective_sz[1]), True).reshape(1, 1, 1, -1))

    pad = ((sz - effective_sz) // 2).tolist()
    window = F.pad(effective_window, (pad[1], pad[1], pad[0], pad[0]), 'replicate')

    if centered:
        return window
    mid = (sz // 2).tolist()
    window_shift_lr = torch.cat((window[:, :, :, mid[1]:], window[:, :, :, :mid[1]]), 3)
    return torch.cat((window_shift_lr[:, :, mid[0]:, :], window_shift_lr[:, :, :mid[0], :]), 2)


def gauss_fourier(sz: int, sigma: float, half: bool = False) -> torch.Tensor:
    """Fourier coefficients of a sampled Gaussian of std ``sigma`` (in samples) on a period of ``sz``:
    sqrt(2 pi) sigma / sz * exp(-2 (pi sigma k / sz)^2), k centred (or k >= 0 with ``half``)."""
    if half:
        k = torch.arange(0, int(sz / 2 + 1))
    else:
        k = torch.arange(-int((sz - 1) / 2), int(sz / 2 + 1))
    return (math.sqrt(2 * math.pi) * sigma / sz) * torch.exp(-2 * (math.pi * sigma * k.float() / sz) ** 2)


def gauss_spatial(sz, sigma, center=0, end_pad=0):
    """exp(-(k - center)^2 / (2 sigma^2)) on the centred grid k = -(sz-1)/2, ..., (sz-1)/2 (+ end_pad samples)."""
    k = torch.arange(-(sz - 1) / 2, (sz + 1) / 2 + end_pad)
    return torch.exp(-1.0 / (2 * sigma ** 2) * (k - center) ** 2)


def _pair(v):
    """A scalar or a 1/2-element tensor/list as two python-or-tensor values (y, x)."""
    if isinstance(v, torch.Tensor):
        v = v.reshape(-1)
        return (v[0], v[0]) if v.numel() == 1 else (v[0], v[1])
    if isinstance(v, (list, tuple)):
        return (v[0], v[0]) if len(v) == 1 else (v[0], v[1])
    return v, v


def _item(v):
    return v.item() if isinstance(v, torch.Tensor) else v


def label_function(sz: torch.Tensor, sigma: torch.Tensor):
    """Fourier-domain Gaussian label (height centred, width one-sided), shape 1x1xHx(W//2+1)."""
    sig_y, sig_x = _pair(sigma)
    return (gauss_fourier(int(sz[0]), _item(sig_y)).reshape(1, 1, -1, 1) *
            gauss_fourier(int(sz[1]), _item(sig_x), True).reshape(1, 1, 1, -1))


def label_function_spatial(sz: torch.Tensor, sigma: torch.Tensor, center: torch.Tensor = torch.zeros(2),
                           end_pad: torch.Tensor = torch.zeros(2)):
    """Gaussian label map of size sz = (H, W), shape 1x1xHxW, with its origin in the middle of the map.

    ``sigma`` is a scalar or (sigma_y, sigma_x); ``center`` is the peak offset (y, x) from the map centre, in
    samples. The peak is at array index (sz-1)/2 + center.
    """
    sig_y, sig_x = _pair(sigma)
    c_y, c_x = _pair(center)
    p_y, p_x = _pair(end_pad)
    return (gauss_spatial(int(sz[0]), _item(sig_y), c_y, _item(p_y)).reshape(1, 1, -1, 1) *
            gauss_spatial(int(sz[1]), _item(sig_x), c_x, _item(p_x)).reshape(1, 1, 1, -1))


def cubic_spline_fourier(f, a):
    """Continuous Fourier transform of the cubic spline (bicubic) kernel with parameter ``a``."""
    bf = (6 * (1 - torch.cos(2 * math.pi * f)) + 3 * a * (1 - torch.cos(4 * math.pi * f))
          - (6 + 8 * a) * math.pi * f * torch.sin(2 * math.pi * f)
          - 2 * a * math.pi * f * torch.sin(4 * math.pi * f)) / (4 * math.pi ** 4 * f ** 4)
    bf[f == 0] = 1
    return bf


def get_interp_fourier(sz: torch.Tensor, method='ideal', bicubic_param=0.5, centering=True, windowing=False,
                       device='cpu'):
    """Fourier coefficients (y part, x part) of the interpolation kernel of a feature map of size ``sz``
    (ECO's continuous formulation). method: 'ideal' or 'bicubic'."""
    ky, kx = fourier.get_frequency_coord(sz)

    if method == 'ideal':
        interp_y = torch.ones(ky.shape) / sz[0]
        interp_x = torch.ones(kx.shape) / sz[1]
    elif method == 'bicubic':
        interp_y = cubic_spline_fourier(ky / sz[0], bicubic_param) / sz[0]
        interp_x = cubic_spline_fourier(kx / sz[1], bicubic_param) / sz[1]
    else:
        raise ValueError("get_interp_fourier: unknown method {!r} (expected 'ideal' or 'bicubic')".format(method))

    if centering:
        # Real x complex products: add the complex dim explicitly (avoids mistaking a width-2 map for complex).
        interp_y = interp_y.unsqueeze(-1) * complex.exp_imag((-math.pi / float(sz[0])) * ky)
        interp_x = interp_x.unsqueeze(-1) * complex.exp_imag((-math.pi / float(sz[1])) * kx)

    if windowing:
        raise NotImplementedError('get_interp_fourier: windowing is not implemented')

    return interp_y.to(device), interp_x.to(device)


@tensor_operation
def interpolate_dft(a: torch.Tensor, interp_fs) -> torch.Tensor:
    """Multiply a spectrum by the interpolation kernel coefficients (a tensor or a (y, x) pair)."""
    if isinstance(interp_fs, torch.Tensor):
        return complex.mult(a, interp_fs)
    if isinstance(interp_fs, (tuple, list)):
        return complex.mult(complex.mult(a, interp_fs[0]), interp_fs[1])
    raise ValueError('interpolate_dft: interp_fs must be a tensor or a tuple of tensors, got {}'.format(
        type(interp_fs).__name__))


def get_reg_filter(sz: torch.Tensor, target_sz: torch.Tensor, params):
    """ECO's spatial regularisation filter in the Fourier domain (real, centred, sparsified).

    Reads from ``params``: use_reg_window, reg_window_min, reg_window_edge, reg_window_power,
    reg_sparsity_threshold, and optionally reg_window_square (False) and reg_window_centered (True).
    """
    if not params.use_reg_window:
        return params.reg_window_min * torch.ones(1, 1, 1, 1)

    sz = torch.as_tensor(sz)
    target_sz = torch.as_tensor(target_sz, dtype=torch.float32)
    if getattr(params, 'reg_window_square', False):
        target_sz = target_sz.prod().sqrt() * torch.ones(2)

    reg_scale = 0.5 * target_sz
    h, w = int(sz[0]), int(sz[1])

    if getattr(params, 'reg_window_centered', True):
        wrg = torch.arange(-int((h - 1) / 2), int(h / 2 + 1), dtype=torch.float32).view(1, 1, -1, 1)
        wcg = torch.arange(-int((w - 1) / 2), int(w / 2 + 1), dtype=torch.float32).view(1, 1, 1, -1)
    else:
        wrg = torch.cat([torch.arange(0, int(h / 2 + 1), dtype=torch.float32),
                         torch.arange(-int((h - 1) / 2), 0, dtype=torch.float32)]).view(1, 1, -1, 1)
        wcg = torch.cat([torch.arange(0, int(w / 2 + 1), dtype=torch.float32),
                         torch.arange(-int((w - 1) / 2), 0, dtype=torch.float32)]).view(1, 1, 1, -1)

    reg_window = (params.reg_window_edge - params.reg_window_min) * \
                 (torch.abs(wrg / reg_scale[0]) ** params.reg_window_power +
                  torch.abs(wcg / reg_scale[1]) ** params.reg_window_power) + params.reg_window_min

    # DFT, then drop the small coefficients.
    reg_window_dft = torch.view_as_real(torch.fft.rfft2(reg_window)).clone() / (h * w)
    reg_window_dft_abs = complex.abs(reg_window_dft)
    reg_window_dft[reg_window_dft_abs < params.reg_sparsity_threshold * reg_window_dft_abs.max(), :] = 0

    # Correct the DC value so that the sparse window keeps the requested minimum.
    reg_window_sparse = torch.fft.irfft2(torch.complex(reg_window_dft[..., 0], reg_window_dft[..., 1]), s=[h, w])
    reg_window_dft[0, 0, 0, 0, 0] += params.reg_window_min - (h * w) * reg_window_sparse.min()
    reg_window_dft = complex.real(fourier.rfftshift2(reg_window_dft))

    # Crop the zero border.
    max_inds, _ = reg_window_dft.nonzero().max(0)
    mid_ind = int((reg_window_dft.shape[2] - 1) / 2)
    top = max_inds[-2].item() + 1
    bottom = 2 * mid_ind - max_inds[-2].item()
    right = max_inds[-1].item() + 1
    reg_window_dft = reg_window_dft[..., bottom:top, :right]
    if reg_window_dft.shape[-1] > 1:
        reg_window_dft = torch.cat([reg_window_dft[..., 1:].flip((2, 3)), reg_window_dft], -1)

    return reg_window_dft


def max2d(a: torch.Tensor) -> (torch.Tensor, torch.Tensor):
    """Maximum over the last two dims and its (row, col) index; shapes a.shape[:-2] and a.shape[:-2] + (2,)."""
    max_val_row, argmax_row = torch.max(a, dim=-2)
    max_val, argmax_col = torch.max(max_val_row, dim=-1)
    n = argmax_col.numel()
    argmax_row = argmax_row.reshape(n, -1)[torch.arange(n), argmax_col.reshape(-1)].reshape(argmax_col.shape)
    argmax = torch.cat((argmax_row.unsqueeze(-1), argmax_col.unsqueeze(-1)), -1)
    return max_val, argmax
