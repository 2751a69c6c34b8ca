"""CPU vs CUDA agreement of the libs (skipped without a GPU)."""
import math

import pytest
import torch

from pytracking.features import augmentation as augs
from pytracking.features.preprocessing import sample_patch
from pytracking.libs import TensorList, fourier, operation
from pytracking.libs.optimization import GaussNewtonCG, L2Problem

pytestmark = pytest.mark.cuda


def test_fourier_upsampling_cpu_equals_cuda():
    x = torch.randn(2, 1, 18, 18, dtype=torch.float64)
    out = []
    for dev in ('cpu', 'cuda'):
        sf = fourier.cfft2(x.to(dev)) / 324
        sf = fourier.shift_fs(sf, math.pi * torch.ones(2))
        out.append(fourier.sample_fs(sf, torch.tensor([288., 288.])).cpu())
    assert torch.allclose(out[0], out[1], atol=1e-10)


class Lin(L2Problem):
    def __init__(self, X, y):
        self.X, self.y = X, y

    def __call__(self, x):
        return TensorList([operation.conv2d(self.X, x[0], mode='same') - self.y, 0.3 * x[0]])


def test_gauss_newton_cpu_equals_cuda():
    X = torch.randn(3, 2, 6, 6, dtype=torch.float64)
    y = torch.randn(3, 1, 6, 6, dtype=torch.float64)
    res = []
    for dev in ('cpu', 'cuda'):
        f = TensorList([torch.zeros(1, 2, 4, 4, dtype=torch.float64, device=dev)])
        GaussNewtonCG(Lin(X.to(dev), y.to(dev)), f).run(5, 3)
        res.append(f[0].cpu())
    assert torch.allclose(res[0], res[1], atol=1e-9)


def test_patch_and_augmentation_on_cuda_image():
    im = torch.rand(1, 3, 40, 50) * 255
    p_cpu, _ = sample_patch(im, torch.tensor([5., 45.]), torch.tensor([20., 20.]), torch.tensor([16., 16.]))
    p_gpu, _ = sample_patch(im.cuda(), torch.tensor([5., 45.]), torch.tensor([20., 20.]), torch.tensor([16., 16.]))
    assert torch.allclose(p_cpu, p_gpu.cpu(), atol=1e-3)
    for T in (augs.Blur(2.0, (16, 16)), augs.Rotate(10, (16, 16)), augs.FlipHorizontal((16, 16), (2, -1))):
        assert torch.allclose(T(p_cpu), T(p_gpu).cpu(), atol=1e-3)
