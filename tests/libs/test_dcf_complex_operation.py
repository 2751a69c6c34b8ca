"""dcf.py, complex.py and operation.py against numpy / scipy / hand-computed values."""

import numpy as np
import pytest
import torch
from scipy.signal import correlate2d

from pytracking.libs import TensorList, complex, dcf, operation

DT = torch.float64


# ---------------------------------------------------------------------------------------------- complex
def as_legacy(z):
    """numpy complex array -> legacy (..., 2) tensor."""
    return torch.tensor(np.stack([z.real, z.imag], -1))


def as_numpy(t):
    t = t.numpy()
    return t[..., 0] + 1j * t[..., 1]


def test_complex_arithmetic_matches_numpy():
    g = np.random.default_rng(0)
    z1 = g.normal(size=(1, 2, 3, 4)) + 1j * g.normal(size=(1, 2, 3, 4))
    z2 = g.normal(size=(1, 2, 3, 4)) + 1j * g.normal(size=(1, 2, 3, 4))
    r = g.normal(size=(1, 2, 3, 4))
    a, b, rt = as_legacy(z1), as_legacy(z2), torch.tensor(r)
    np.testing.assert_allclose(as_numpy(complex.mult(a, b)), z1 * z2)
    np.testing.assert_allclose(as_numpy(complex.mult(rt, b)), r * z2)
    np.testing.assert_allclose(as_numpy(complex.mult(a, rt)), z1 * r)
    np.testing.assert_allclose(as_numpy(complex.mult_conj(a, b)), z1 * np.conj(z2))
    np.testing.assert_allclose(as_numpy(complex.div(a, b)), z1 / z2)
    np.testing.assert_allclose(as_numpy(complex.div(a, rt)), z1 / r)
    np.testing.assert_allclose(as_numpy(complex.div_cplx_real(a, rt)), z1 / r)
    np.testing.assert_allclose(complex.abs_sqr(a).numpy(), np.abs(z1) ** 2)
    np.testing.assert_allclose(complex.abs(a).numpy(), np.abs(z1))
    np.testing.assert_allclose(as_numpy(complex.conj(a)), np.conj(z1))
    np.testing.assert_allclose(complex.real(a).numpy(), z1.real)
    np.testing.assert_allclose(complex.imag(a).numpy(), z1.imag)
    np.testing.assert_allclose(as_numpy(complex.complex(rt, 2 * rt)), r + 2j * r)
    np.testing.assert_allclose(as_numpy(complex.complex(rt)), r + 0j)
    np.testing.assert_allclose(as_numpy(complex.exp_imag(rt)), np.exp(1j * r))
    assert complex.is_complex(a) and complex.is_real(rt) and complex.is_real(torch.zeros(3, 2))
    # TensorList support
    out = complex.mult(TensorList([a, b]), TensorList([b, a]))
    np.testing.assert_allclose(as_numpy(out[1]), z2 * z1)
    with pytest.raises(ValueError):
        complex.mult(rt, rt.clone())


def test_complex_matrix_products():
    g = np.random.default_rng(1)
    A = g.normal(size=(1, 1, 3, 4)) + 1j * g.normal(size=(1, 1, 3, 4))
    B = g.normal(size=(1, 1, 4, 2)) + 1j * g.normal(size=(1, 1, 4, 2))
    R = g.normal(size=(1, 1, 4, 3))  # (a real tensor with a trailing 2 would count as complex)
    L = g.normal(size=(1, 1, 5, 3))
    a, b = as_legacy(A), as_legacy(B)
    np.testing.assert_allclose(as_numpy(complex.mtimes(a, b)), A @ B)
    np.testing.assert_allclose(as_numpy(complex.mtimes(a, b, conj_a=True)), np.conj(A) @ B)
    np.testing.assert_allclose(as_numpy(complex.mtimes(a, b, conj_b=True)), A @ np.conj(B))
    np.testing.assert_allclose(as_numpy(complex.mtimes(a, torch.tensor(R))), A @ R)
    np.testing.assert_allclose(as_numpy(complex.mtimes_complex_real(a, torch.tensor(R), conj_a=True)), np.conj(A) @ R)
    np.testing.assert_allclose(as_numpy(complex.mtimes(torch.tensor(L), a)), L @ A)
    np.testing.assert_allclose(as_numpy(complex.mtimes_real_complex(torch.tensor(L), a, conj_b=True)), L @ np.conj(A))


# ---------------------------------------------------------------------------------------------- dcf
def test_hann_windows():
    for n in (1, 4, 5, 18):
        # numpy's Hann window of length n+2 without its two zero end points
        np.testing.assert_allclose(dcf.hann1d(n).numpy(), np.hanning(n + 2)[1:-1], atol=1e-6)
    # uncentred: peak at 0, wrapped: 0.5(1+cos(2 pi k/6)) for k = 0, 1, 2, then mirrored
    np.testing.assert_allclose(dcf.hann1d(4, centered=False).numpy(), [1.0, 0.75, 0.25, 0.75], atol=1e-6)
    np.testing.assert_allclose(dcf.hann1d(5, centered=False).numpy(),
                               0.5 * (1 + np.cos(2 * np.pi * np.array([0, 1, 2, 2, 1]) / 7)), atol=1e-6)
    w = dcf.hann2d(torch.tensor([3, 4]))
    assert w.shape == (1, 1, 3, 4)
    np.testing.assert_allclose(w[0, 0].numpy(), np.outer(np.hanning(5)[1:-1], np.hanning(6)[1:-1]), atol=1e-6)


def test_hann2d_clipped():
    sz, eff = torch.tensor([8, 8]), torch.tensor([3, 4])
    w = dcf.hann2d_clipped(sz, eff)
    assert torch.equal(eff, torch.tensor([3, 4]))  # the caller's tensor is not modified
    assert w.shape == (1, 1, 8, 8)
    # effective size made even-different: 3 -> 4 rows, 4 cols; window in the middle, edges replicated
    inner = np.outer(np.hanning(6)[1:-1], np.hanning(6)[1:-1])
    np.testing.assert_allclose(w[0, 0, 2:6, 2:6].numpy(), inner, atol=1e-6)
    np.testing.assert_allclose(w[0, 0, 0, 2:6].numpy(), inner[0], atol=1e-6)
    np.testing.assert_allclose(w[0, 0, 0, 0].item(), inner[0, 0], atol=1e-6)
    # uncentred variant: centre moved to (0, 0)
    wu = dcf.hann2d_clipped(sz, eff, centered=False)
    assert torch.equal(wu, torch.roll(w, shifts=(-4, -4), dims=(2, 3)))


def test_label_function_spatial_peak_and_values():
    sz = torch.tensor([18, 18])
    y = dcf.label_function_spatial(sz, 0.9 * torch.ones(2), torch.tensor([0.5, 0.5]))
    assert y.shape == (1, 1, 18, 18)
    # grid k = -8.5..8.5; the peak (k = 0.5) is at index 9 in both axes, value 1
    val, ind = dcf.max2d(y)
    assert ind.view(-1).tolist() == [9, 9] and val.item() == pytest.approx(1.0)
    k = np.arange(18) - 8.5
    g = np.exp(-(k - 0.5) ** 2 / (2 * 0.81))
    np.testing.assert_allclose(y[0, 0].numpy(), np.outer(g, g), rtol=1e-5, atol=1e-30)  # float32 denormals
    # scalar sigma, off-centre peak, and end padding
    y2 = dcf.label_function_spatial(torch.tensor([5, 7]), 1.0, torch.tensor([-2., 3.]), torch.tensor([1, 0]))
    assert y2.shape == (1, 1, 6, 7)
    assert dcf.max2d(y2)[1].view(-1).tolist() == [0, 6]
    g1 = dcf.gauss_spatial(5, 2.0, center=1)
    np.testing.assert_allclose(g1.numpy(), np.exp(-(np.arange(-2, 3) - 1) ** 2 / 8), rtol=1e-6)


def test_gauss_fourier_matches_numerical_dft():
    sz, sigma = 32, 2.0
    n = np.arange(sz)
    n = np.minimum(n, sz - n)  # periodic distance to 0
    g = np.exp(-n ** 2 / (2 * sigma ** 2))
    G = np.real(np.fft.fft(g)) / sz
    gf = dcf.gauss_fourier(sz, sigma).numpy()
    k = np.arange(-int((sz - 1) / 2), int(sz / 2 + 1))
    np.testing.assert_allclose(gf, G[k % sz], atol=1e-6)
    np.testing.assert_allclose(dcf.gauss_fourier(sz, sigma, half=True).numpy(), G[:sz // 2 + 1], atol=1e-6)
    assert dcf.label_function(torch.tensor([32, 32]), torch.tensor([2., 2.])).shape == (1, 1, 32, 17)


def test_max2d_batch():
    a = torch.zeros(2, 3, 4, 5)
    a[0, 1, 2, 3] = 5
    a[1, 2, 0, 4] = 7
    a[1, 0, 3, 0] = -1  # max of an all-zero-or-negative map is 0 at the first position
    val, ind = dcf.max2d(a)
    assert val.shape == (2, 3) and ind.shape == (2, 3, 2)
    assert ind[0, 1].tolist() == [2, 3] and val[0, 1].item() == 5
    assert ind[1, 2].tolist() == [0, 4] and val[1, 2].item() == 7
    assert ind[1, 0].tolist() == [0, 0] and val[1, 0].item() == 0


def test_cubic_spline_fourier_and_interp():
    f = torch.tensor([0.0, 0.25, 0.5, 1.0], dtype=DT)
    bf = dcf.cubic_spline_fourier(f.clone(), -0.75)
    assert bf[0].item() == 1.0
    # numerical Fourier transform of the Keys cubic kernel with a = -0.75
    a = -0.75
    x = np.linspace(-2, 2, 40001)
    ax = np.abs(x)
    kern = np.where(ax <= 1, (a + 2) * ax ** 3 - (a + 3) * ax ** 2 + 1,
                    np.where(ax < 2, a * ax ** 3 - 5 * a * ax ** 2 + 8 * a * ax - 4 * a, 0))
    for fi, b in zip(f.tolist()[1:], bf.tolist()[1:]):
        num = np.trapezoid(kern * np.cos(2 * np.pi * fi * x), x)
        assert b == pytest.approx(num, abs=1e-6)
    iy, ix = dcf.get_interp_fourier(torch.tensor([5, 5]))
    assert iy.shape == (1, 1, 5, 1, 2) and ix.shape == (1, 1, 1, 3, 2)
    # ideal + centring: 1/5 * exp(-i pi k / 5)
    np.testing.assert_allclose(as_numpy(iy)[0, 0, :, 0], np.exp(-1j * np.pi * np.arange(-2, 3) / 5) / 5, atol=1e-6)


def test_get_reg_filter_runs_and_is_symmetric():
    class P:
        use_reg_window = True
        reg_window_min = 1e-4
        reg_window_edge = 10e-3
        reg_window_power = 2
        reg_sparsity_threshold = 0.05
    f = dcf.get_reg_filter(torch.tensor([21, 21]), torch.tensor([8., 8.]), P())
    assert f.dim() == 4 and f.shape[2] % 2 == 1 and f.shape[3] % 2 == 1
    assert torch.allclose(f, f.flip((2, 3)), atol=1e-8)
    P.use_reg_window = False
    assert dcf.get_reg_filter(torch.tensor([21, 21]), torch.tensor([8., 8.]), P()).item() == pytest.approx(1e-4)


# ---------------------------------------------------------------------------------------------- operation
@pytest.mark.parametrize('k', [(3, 3), (4, 4), (4, 3), (2, 5)])
def test_conv2d_same_matches_scipy(k):
    g = np.random.default_rng(2)
    x = g.normal(size=(7, 9))
    w = g.normal(size=k)
    out = operation.conv2d(torch.tensor(x).view(1, 1, 7, 9), torch.tensor(w).view(1, 1, *k), mode='same')
    assert out.shape == (1, 1, 7, 9)
    # 'same' = full correlation cropped so that kernel element (k//2) is aligned with the output pixel
    full = correlate2d(x, w, mode='full')
    ref = full[k[0] - 1 - k[0] // 2: k[0] - 1 - k[0] // 2 + 7, k[1] - 1 - k[1] // 2: k[1] - 1 - k[1] // 2 + 9]
    np.testing.assert_allclose(out[0, 0].numpy(), ref, atol=1e-12)


def test_conv2d_modes_none_weight_and_tensorlist():
    x = torch.randn(1, 2, 6, 6, dtype=DT)
    w = torch.randn(3, 2, 4, 4, dtype=DT)
    assert operation.conv2d(x, w, mode='valid').shape == (1, 3, 3, 3)
    full = operation.conv2d(x, w, mode='full')
    assert full.shape == (1, 3, 9, 9)
    np.testing.assert_allclose(full[0, 0].numpy(),
                               sum(correlate2d(x[0, c].numpy(), w[0, c].numpy(), mode='full') for c in range(2)),
                               atol=1e-12)
    assert operation.conv2d(x, None) is x
    with pytest.raises(ValueError):
        operation.conv2d(x, w, padding=1, mode='same')
    with pytest.raises(ValueError):
        operation.conv2d(x, w, mode='sideways')
    out = operation.conv2d(TensorList([x, x[:, :, :5]]), TensorList([w, w]), mode='same')
    assert [o.shape for o in out] == [(1, 3, 6, 6), (1, 3, 5, 6)]
    P = torch.randn(4, 2, 1, 1, dtype=DT)
    np.testing.assert_allclose(operation.conv1x1(x, P).numpy(),
                               np.einsum('oc,nchw->nohw', P[:, :, 0, 0].numpy(), x.numpy()), atol=1e-12)
    assert operation.conv1x1(x, None) is x
