"""Our ResNet against torchvision's (an independent implementation with the same parameter names)."""
import pytest
import torch
import torchvision

from ltr.models.backbone import resnet18, resnet50
from ltr.models.backbone.resnet import PretrainedWeightsUnavailableError

torch.set_num_threads(1)


def _torchvision_layers(tv, x):
    out = {}
    x = tv.relu(tv.bn1(tv.conv1(x)))
    out['conv1'] = x
    x = tv.maxpool(x)
    for name in ('layer1', 'layer2', 'layer3', 'layer4'):
        x = getattr(tv, name)(x)
        out[name] = x
    out['fc'] = tv.fc(torch.flatten(tv.avgpool(x), 1))
    return out


@pytest.mark.parametrize('ours_fn, tv_fn', [(resnet18, torchvision.models.resnet18),
                                            (resnet50, torchvision.models.resnet50)])
def test_matches_torchvision(ours_fn, tv_fn):
    torch.manual_seed(0)
    tv = tv_fn(weights=None).eval()
    ours = ours_fn(output_layers=['conv1', 'layer1', 'layer2', 'layer3', 'layer4', 'fc']).eval()
    ours.load_state_dict(tv.state_dict(), strict=True)   # identical key names and shapes
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        ref = _torchvision_layers(tv, x)
        got = ours(x)
    assert list(got.keys()) == ['conv1', 'layer1', 'layer2', 'layer3', 'layer4', 'fc']
    for name in got:
        torch.testing.assert_close(got[name], ref[name], rtol=1e-5, atol=1e-5)


def test_stops_at_last_requested_layer_and_strides():
    net = resnet18(output_layers=['layer2', 'layer3']).eval()
    calls = []
    net.layer4.register_forward_hook(lambda *a: calls.append('layer4'))
    with torch.no_grad():
        out = net(torch.randn(1, 3, 288, 288))
    assert calls == []                       # layer4 never ran
    assert tuple(out['layer2'].shape) == (1, 128, 36, 36)   # stride 8 on a 288 crop
    assert tuple(out['layer3'].shape) == (1, 256, 18, 18)   # stride 16
    assert net.out_feature_strides() == {'conv1': 4, 'layer1': 4, 'layer2': 8, 'layer3': 16, 'layer4': 32}
    assert net.out_feature_channels('layer3') == 256
    with torch.no_grad():
        logits = resnet18()(torch.randn(2, 3, 32, 32))   # ['default'] -> plain logits tensor
    assert tuple(logits.shape) == (2, 1000)


def test_conv_init_std():
    torch.manual_seed(0)
    net = resnet18()
    w = net.layer3[0].conv2.weight        # normal(0, sqrt(2 / (3*3*256)))
    assert abs(w.std().item() - (2.0 / (9 * 256)) ** 0.5) < 0.05 * (2.0 / (9 * 256)) ** 0.5
    assert torch.all(net.layer3[0].bn2.weight == 1) and torch.all(net.layer3[0].bn2.bias == 0)


def test_frozen_layers():
    net = resnet18(output_layers=['layer3'], frozen_layers=['conv1', 'layer1'])
    net.train()
    assert not net.layer1.training and net.layer2.training
    assert all(not p.requires_grad for p in net.layer1.parameters())
    assert all(not p.requires_grad for p in net.conv1.parameters())
    assert all(p.requires_grad for p in net.layer2.parameters())
    net_all = resnet18(frozen_layers='all').train()
    assert not net_all.training and all(not p.requires_grad for p in net_all.parameters())
    with pytest.raises(ValueError, match='frozen_layers'):
        resnet18(frozen_layers='some')


def test_unknown_output_layer_is_a_clear_error():
    with pytest.raises(ValueError, match='layer5'):
        resnet18(output_layers=['layer5'])


def test_pretrained_without_weights_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))   # empty hub cache

    def no_network(*args, **kwargs):
        raise OSError('network is unreachable')
    monkeypatch.setattr(torch.hub, 'download_url_to_file', no_network)
    with pytest.raises(PretrainedWeightsUnavailableError, match='resnet18-f37072fd.pth'):
        resnet18(pretrained=True)


def test_pretrained_loads_cached_torchvision_file(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    torch.manual_seed(1)
    tv = torchvision.models.resnet18(weights=None)
    (tmp_path / 'hub' / 'checkpoints').mkdir(parents=True)
    torch.save(tv.state_dict(), tmp_path / 'hub' / 'checkpoints' / 'resnet18-f37072fd.pth')
    net = resnet18(pretrained=True)
    assert torch.equal(net.conv1.weight, tv.conv1.weight)
