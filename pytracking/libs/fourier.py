"""Fourier-series helpers in pytracking's legacy layout, ported from the removed ``torch.rfft``/``torch.irfft``
to ``torch.fft``.

Layout: a spectrum is a real tensor (N, C, H, W//2+1, 2) -- one-sided along the width, last dim = (re, im).
``cfft2`` additionally centres the height axis so that frequency 0 sits in the middle row, and always returns an
ODD height: for an even input height H the Nyquist row is duplicated (it appears as frequency -H/2 and +H/2),
giving H+1 rows. A spectrum with H' rows and W' columns therefore represents the Fourier series with
frequencies ky = -(H'-1)/2 .. (H'-1)/2 and kx = -(W'-1) .. (W'-1), i.e. a "full" size of (H', 2W'-1).
ATOM's ``localize_target`` relies on exactly this: an 18x18 score map becomes a 19x19-coefficient series that
``sample_fs`` evaluates on a 288x288 grid.

All transforms are unnormalised forward / 1/N-normalised inverse (torch's default "backward" norm, the same as
the old API). Functions accept TensorLists (``@tensor_operation``) except the list reductions.
"""

import torch
import torch.nn.functional as F

from . import complex
from .tensorlist import TensorList, tensor_operation


def _check_spectrum(a, fn):
    if a.dim() != 5 or a.shape[-1] != 2:
        raise ValueError('{}: expected a spectrum of shape (N, C, H, W, 2), got {}'.format(fn, tuple(a.shape)))


@tensor_operation
def rfftshift2(a: torch.Tensor):
    """Move frequency 0 of the height axis (dim 2) to the centre; even heights get the Nyquist row twice."""
    h = a.shape[2] + 2
    return torch.cat((a[:, :, (h - 1) // 2:, ...], a[:, :, :h // 2, ...]), 2)


@tensor_operation
def irfftshift2(a: torch.Tensor):
    """Inverse of ``rfftshift2`` for odd heights: move the centre row (frequency 0) back to index 0."""
    mid = int((a.shape[2] - 1) / 2)
    return torch.cat((a[:, :, mid:, ...], a[:, :, :mid, ...]), 2)


@tensor_operation
def cfft2(a: torch.Tensor):
    """2-D real FFT over the last two dims with the height axis centred; always an odd (full) height."""
    return rfftshift2(torch.view_as_real(torch.fft.rfft2(a)))


@tensor_operation
def cifft2(a: torch.Tensor, signal_sizes=None):
    """Inverse of ``cfft2``: real signal of size ``signal_sizes`` (default: input height, 2*(W-1) width)."""
    a = irfftshift2(a)
    spec = torch.complex(a[..., 0], a[..., 1])
    s = None if signal_sizes is None else [int(v) for v in signal_sizes]
    return torch.fft.irfft2(spec, s=s)


@tensor_operation
def sample_fs(a: torch.Tensor, grid_sz: torch.Tensor = None, rescale=True):
    """Evaluate the Fourier series ``a`` (centred layout, see module doc) on a regular grid of ``grid_sz`` points.

    The spectrum is zero-padded to the grid (trigonometric interpolation) and inverse transformed.
    With ``rescale`` the result is multiplied by the number of grid points (undoing the 1/N of the inverse FFT).

    Fix vs pytracking: with ``grid_sz`` None (or equal to the series size) pytracking inverse transformed with the
    default even width 2*(W-1), one column short of the series' full width 2W-1; here the series is sampled on
    its own full (H, 2W-1) grid.
    """
    _check_spectrum(a, 'sample_fs')
    sz = torch.tensor([a.shape[2], 2 * a.shape[3] - 1], dtype=torch.float64)

    if grid_sz is None:
        grid = sz.clone()
    else:
        grid = torch.as_tensor(grid_sz).detach().cpu().to(torch.float64).reshape(-1)
        if grid.numel() == 1:
            grid = grid.repeat(2)
        if grid[0] < sz[0] or grid[1] < sz[1]:
            raise ValueError('sample_fs: grid_sz {} is smaller than the Fourier series size {}; only grids at '
                             'least as large as the series are supported'.format(grid.tolist(), sz.tolist()))

    if grid[0] == sz[0] and grid[1] == sz[1]:
        padded = a
    else:
        tot_pad = (grid - sz).tolist()
        # The centre row must land on index (grid-1)//2 so that irfftshift2 moves it to 0.
        pad_top = int((tot_pad[0] + 1) / 2) if int(sz[0]) % 2 == 0 else int(tot_pad[0] / 2)
        pad_bottom = int(tot_pad[0] - pad_top)
        pad_right = int((tot_pad[1] + 1) / 2)
        padded = F.pad(a, (0, 0, 0, pad_right, pad_top, pad_bottom))

    out = cifft2(padded, signal_sizes=grid.long().tolist())
    if rescale:
        out = out * grid.prod().item()
    return out


def get_frequency_coord(sz, add_complex_dim=False, device='cpu'):
    """Frequency indices of a centred spectrum of full size ``sz`` = (H, W):
    ky = -(H-1)//2 ... (H-1)//2 (shape 1x1xHx1), kx = 0 ... (W-1)//2 (shape 1x1x1xW')."""
    h, w = int(sz[0]), int(sz[1])
    ky = torch.arange(-(h - 1) // 2, (h + 1) // 2, dtype=torch.float32, device=device).view(1, 1, -1, 1)
    kx = torch.arange(0, (w + 1) // 2, dtype=torch.float32, device=device).view(1, 1, 1, -1)
    if add_complex_dim:
        ky = ky.unsqueeze(-1)
        kx = kx.unsqueeze(-1)
    return ky, kx


@tensor_operation
def shift_fs(a: torch.Tensor, shift: torch.Tensor):
    """Shift the signal represented by the series ``a`` by ``shift`` (radians per unit frequency, (y, x)):
    multiplies coefficient (ky, kx) by exp(i (shift_y ky + shift_x kx))."""
    if a.dim() != 5:
        raise ValueError('shift_fs: a must be a 5-dimensional spectrum (N, C, H, W, 2), got shape {}'.format(
            tuple(a.shape)))
    sy, sx = float(shift[0]), float(shift[1])
    if sy == 0 and sx == 0:
        return a
    ky, kx = get_frequency_coord((a.shape[2], 2 * a.shape[3] - 1), device=a.device)
    ky, kx = ky.to(a.dtype), kx.to(a.dtype)
    return complex.mult(complex.mult(a, complex.exp_imag(sy * ky)), complex.exp_imag(sx * kx))


def _sum_centred(a, hdim, wdim, fn):
    if len(a) == 0:
        raise ValueError('{}: needs at least one spectrum'.format(fn))
    s = None
    mid = None
    for e in sorted(a, key=lambda t: t.shape[hdim], reverse=True):
        if s is None:
            s = e.clone()
            mid = int((s.shape[hdim] - 1) / 2)
            continue
        top = mid - int((e.shape[hdim] - 1) / 2)
        bottom = mid + int(e.shape[hdim] / 2) + 1
        right = e.shape[wdim]
        idx = [slice(None)] * s.dim()
        idx[hdim] = slice(top, bottom)
        idx[wdim] = slice(0, right)
        s[tuple(idx)] += e
    return s


def sum_fs(a: TensorList) -> torch.Tensor:
    """Sum Fourier series of different sizes (layout N, C, H, W, 2): smaller ones are added centred in height
    and left-aligned in width (frequency 0) into the largest one."""
    return _sum_centred(a, -3, -2, 'sum_fs')


def sum_fs12(a: TensorList) -> torch.Tensor:
    """Like ``sum_fs`` for spectra whose spatial dims are the first two (H, W, ...)."""
    return _sum_centred(a, 0, 1, 'sum_fs12')


@tensor_operation
def inner_prod_fs(a: torch.Tensor, b: torch.Tensor):
    """Inner product of two one-sided spectra as full (Hermitian) spectra: every column except kx = 0 counts
    twice."""
    if complex.is_complex(a) and complex.is_complex(b):
        return 2 * (a.reshape(-1) @ b.reshape(-1)) - a[:, :, :, 0, :].reshape(-1) @ b[:, :, :, 0, :].reshape(-1)
    if complex.is_real(a) and complex.is_real(b):
        return 2 * (a.reshape(-1) @ b.reshape(-1)) - a[:, :, :, 0].reshape(-1) @ b[:, :, :, 0].reshape(-1)
    raise NotImplementedError('inner_prod_fs: mixed real and complex operands are not supported')
