"""Ours: ltr.models.layers.max_pool.MaxPool2d gives F.max_pool2d's maxima on every path (a maximum has no rounding,
so the expectation is exact equality with ATen's pooling)."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from ltr.models.layers.max_pool import MaxPool2d, _onednn_applies


@pytest.mark.parametrize('shape,kernel,stride,padding,ceil_mode', [
    ((1, 64, 36, 36), 3, 2, 1, False),      # ResNet's stem pool
    ((3, 5, 17, 23), 3, 2, 1, False),       # a batch, odd sizes
    ((2, 4, 16, 15), 2, 2, 0, True),        # ceil mode
    ((1, 3, 9, 12), (3, 2), (1, 2), (1, 0), False),
])
def test_same_maxima_as_aten(shape, kernel, stride, padding, ceil_mode):
    torch.manual_seed(0)
    x = torch.randn(shape)   # negative values: the padding must not count as 0
    pool = MaxPool2d(kernel, stride, padding, ceil_mode=ceil_mode)
    assert _onednn_applies(pool, x) == torch.backends.mkldnn.is_available()
    with torch.no_grad():
        out = pool(x)
    assert torch.equal(out, F.max_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode))


def test_nan_channels_last_and_gradients_take_atens_path():
    torch.manual_seed(1)
    pool = MaxPool2d(3, 2, 1)
    x = torch.randn(2, 8, 20, 20)
    x[1, 3, 7, 7] = float('nan')   # ATen propagates NaN (oneDNN would not)
    torch.testing.assert_close(pool(x), F.max_pool2d(x, 3, 2, 1), rtol=0, atol=0, equal_nan=True)
    assert torch.isnan(pool(x)[1, 3, 3:5, 3:5]).all()
    with torch.no_grad():
        for x[1, 3, 7, 7] in (float('nan'), float('inf'), -float('inf')):   # the gate's sum: NaN or inf
            torch.testing.assert_close(pool(x), F.max_pool2d(x, 3, 2, 1), rtol=0, atol=0, equal_nan=True)
        big = torch.full((1, 2, 9, 9), 3e38)   # finite values whose sum overflows
        big[0, 1, 4, 4] = -3e38
        assert torch.equal(pool(big), F.max_pool2d(big, 3, 2, 1))

    cl = torch.randn(1, 16, 20, 20).contiguous(memory_format=torch.channels_last)
    assert not _onednn_applies(pool, cl) and torch.equal(pool(cl), F.max_pool2d(cl, 3, 2, 1))

    g = torch.randn(1, 4, 10, 10, requires_grad=True)
    assert not _onednn_applies(pool, g)
    pool(g).sum().backward()
    ref = g.detach().clone().requires_grad_(True)
    F.max_pool2d(ref, 3, 2, 1).sum().backward()
    assert torch.equal(g.grad, ref.grad)


def test_resnet_uses_it_without_changing_its_state_dict():
    from ltr.models.backbone.resnet import resnet18
    net = resnet18(output_layers=['layer1'])
    assert isinstance(net.maxpool, nn.MaxPool2d) and type(net.maxpool) is MaxPool2d
    assert not any(k.startswith('maxpool') for k in net.state_dict())
