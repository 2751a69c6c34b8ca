"""fourier.py: the legacy centred layout and Fourier upsampling, checked against numpy FFTs and direct sums."""
import math

import numpy as np
import pytest
import torch

from pytracking.libs import TensorList, fourier

DT = torch.float64


@pytest.mark.parametrize('h,w', [(18, 18), (5, 6), (6, 7)])
def test_cfft2_layout_matches_numpy(h, w):
    x = np.random.default_rng(0).normal(size=(h, w))
    sf = fourier.cfft2(torch.tensor(x).view(1, 1, h, w))
    X = np.fft.fft2(x)
    H = h + 1 if h % 2 == 0 else h  # even heights get the Nyquist row twice
    assert sf.shape == (1, 1, H, w // 2 + 1, 2)
    for r in range(H):
        ky = r - (H - 1) // 2
        for c in range(w // 2 + 1):
            assert sf[0, 0, r, c, 0].item() == pytest.approx(X[ky % h, c].real, abs=1e-10)
            assert sf[0, 0, r, c, 1].item() == pytest.approx(X[ky % h, c].imag, abs=1e-10)


@pytest.mark.parametrize('h,w', [(5, 7), (6, 8)])
def test_cifft2_inverts_cfft2_for_odd_heights_and_even_widths(h, w):
    x = torch.randn(2, 3, h, w, dtype=DT)
    sf = fourier.cfft2(x)
    if h % 2 == 0:
        sf = sf[:, :, 1:]  # drop the duplicated Nyquist row to recover the plain one-sided spectrum
        # irfftshift2 expects the centred odd-height layout; for even h re-order manually
        plain = torch.cat((sf[:, :, h // 2 - 1:], sf[:, :, :h // 2 - 1]), 2)
        rec = torch.fft.irfft2(torch.complex(plain[..., 0], plain[..., 1]), s=[h, w])
    else:
        rec = fourier.cifft2(sf, signal_sizes=[h, w])
    assert torch.allclose(rec, x, atol=1e-12)


def bandlimited(m, n):
    """A smooth periodic signal (period 18) with |frequency| <= 3 in each axis."""
    return (1.0 + np.cos(2 * np.pi * 2 * m / 18 + 0.3) + 0.5 * np.sin(2 * np.pi * 3 * n / 18)
            + 0.25 * np.cos(2 * np.pi * (m + 2 * n) / 18))


def test_sample_fs_interpolates_a_bandlimited_signal():
    m, n = np.meshgrid(np.arange(18), np.arange(18), indexing='ij')
    x = torch.tensor(bandlimited(m, n)).view(1, 1, 18, 18)
    sf = fourier.cfft2(x) / (18 * 18)
    up = fourier.sample_fs(sf, torch.tensor([288., 288.]))
    assert up.shape == (1, 1, 288, 288)
    # every grid point of the 16x finer grid is the continuous signal at that (fractional) position
    M, N = np.meshgrid(np.arange(288) / 16, np.arange(288) / 16, indexing='ij')
    np.testing.assert_allclose(up[0, 0].numpy(), bandlimited(M, N), atol=1e-10)
    # without rescale the values are 288^2 times smaller
    up_nr = fourier.sample_fs(sf, torch.tensor([288., 288.]), rescale=False)
    np.testing.assert_allclose(up_nr[0, 0].numpy() * 288 ** 2, bandlimited(M, N), atol=1e-10)


def direct_series(x, shift, grid):
    """Independent evaluation of ATOM's upsampled score: the 19x19-coefficient series of an 18x18 map
    (Nyquist row/column used at both +9 and -9), shifted, evaluated at every grid point; real part."""
    h, w = x.shape
    X = np.fft.fft2(x) / (h * w)
    ks = np.arange(-(h // 2), h // 2 + 1)  # -9..9
    coef = np.array([[X[ky % h, kx % w] * np.exp(1j * (shift[0] * ky + shift[1] * kx)) for kx in ks] for ky in ks])
    g = np.arange(grid)
    Ey = np.exp(2j * np.pi * np.outer(g, ks) / grid)
    return np.real(Ey @ coef @ Ey.T)


def test_sample_fs_of_shifted_scores_matches_direct_series():
    # This is exactly ATOM's localize_target path for an even (4x4) kernel: shift by pi, upsample 18 -> 288.
    x = np.random.default_rng(1).normal(size=(18, 18))
    sf = fourier.cfft2(torch.tensor(x).view(1, 1, 18, 18)) / (18 * 18)
    sf = fourier.shift_fs(sf, math.pi * torch.ones(2, dtype=DT))
    scores = fourier.sample_fs(fourier.sum_fs(TensorList([sf])), torch.tensor([288., 288.]))
    expected = direct_series(x, (math.pi, math.pi), 288)
    np.testing.assert_allclose(scores[0, 0].numpy(), expected, atol=1e-10)


def test_sample_fs_default_grid_and_errors():
    x = torch.randn(1, 1, 5, 5, dtype=DT)
    up = fourier.sample_fs(fourier.cfft2(x) / 25)
    assert torch.allclose(up, x, atol=1e-12)  # own grid: the samples themselves
    with pytest.raises(ValueError, match='smaller'):
        fourier.sample_fs(fourier.cfft2(x), torch.tensor([3., 3.]))
    with pytest.raises(ValueError):
        fourier.sample_fs(x)


def test_float32_close_to_float64():
    x = np.random.default_rng(2).normal(size=(18, 18))
    out = []
    for dt in (torch.float32, torch.float64):
        sf = fourier.cfft2(torch.tensor(x, dtype=dt).view(1, 1, 18, 18)) / 324
        out.append(fourier.sample_fs(fourier.shift_fs(sf, math.pi * torch.ones(2)), torch.tensor([288., 288.])))
    assert torch.allclose(out[0].double(), out[1], atol=1e-5)


def test_get_frequency_coord():
    ky, kx = fourier.get_frequency_coord((19, 19))
    assert ky.view(-1).tolist() == list(range(-9, 10)) and ky.shape == (1, 1, 19, 1)
    assert kx.view(-1).tolist() == list(range(0, 10)) and kx.shape == (1, 1, 1, 10)
    ky, kx = fourier.get_frequency_coord((4, 5), add_complex_dim=True)
    assert ky.view(-1).tolist() == [-2, -1, 0, 1] and ky.shape == (1, 1, 4, 1, 1)


def test_shift_fs_translates_the_signal():
    # shifting by 2*pi*d/N per unit frequency moves a bandlimited signal by d samples (here d = 3, backwards)
    m, n = np.meshgrid(np.arange(18), np.arange(18), indexing='ij')
    x = torch.tensor(bandlimited(m, n)).view(1, 1, 18, 18)
    sf = fourier.shift_fs(fourier.cfft2(x) / 324, torch.tensor([2 * math.pi * 3 / 18, 0.], dtype=DT))
    y = fourier.sample_fs(sf, torch.tensor([36., 36.]))  # 2x finer grid
    np.testing.assert_allclose(y[0, 0, ::2, ::2].numpy(), bandlimited(m + 3, n), atol=1e-10)
    assert fourier.shift_fs(sf, torch.zeros(2)) is sf


def test_sum_fs_adds_smaller_spectra_centred():
    big = torch.zeros(1, 1, 5, 3, 2)
    small = torch.ones(1, 1, 3, 2, 2)
    s = fourier.sum_fs(TensorList([small, big]))
    expected = torch.zeros(1, 1, 5, 3, 2)
    expected[:, :, 1:4, :2] = 1
    assert torch.equal(s, expected)
    assert torch.equal(big, torch.zeros(1, 1, 5, 3, 2))  # inputs not modified
    s12 = fourier.sum_fs12(TensorList([small[0, 0], big[0, 0]]))
    assert torch.equal(s12, expected[0, 0])


def test_inner_prod_fs_is_the_full_spectrum_inner_product():
    g = np.random.default_rng(3)
    x, y = g.normal(size=(5, 7)), g.normal(size=(5, 7))
    a = fourier.cfft2(torch.tensor(x).view(1, 1, 5, 7))
    b = fourier.cfft2(torch.tensor(y).view(1, 1, 5, 7))
    full = np.real(np.sum(np.fft.fft2(x) * np.conj(np.fft.fft2(y))))  # = 35 <x, y> (Parseval)
    assert fourier.inner_prod_fs(a, b).item() == pytest.approx(full, rel=1e-10)
    assert full == pytest.approx(35 * np.sum(x * y), rel=1e-10)
