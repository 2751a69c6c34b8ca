"""Ours: the deep feature runs a large CPU batch of ATOM-sized crops through the backbone in chunks, with the same
floats as one call."""
import torch

from pytracking.features import deep


def _feature_counting_calls(monkeypatch):
    from ltr.models.bbreg.atom import atom_resnet18
    torch.manual_seed(0)
    feature = deep.ATOMResNet18(net_path=atom_resnet18(backbone_pretrained=False), output_layers=['layer3'])
    feature.set_device('cpu')
    feature.initialize()
    calls = []
    forward = feature._backbone_forward
    monkeypatch.setattr(feature, '_backbone_forward',
                        lambda im, layers: calls.append(im.shape[0]) or forward(im, layers))
    return feature, calls


def test_chunked_backbone_pass_equals_one_batched_call(monkeypatch):
    feature, calls = _feature_counting_calls(monkeypatch)
    monkeypatch.setattr(deep, '_CHUNK_PIXELS', 2 * 288 * 288)   # 5 of ATOM's 288x288 crops: chunks of 2, 2, 1
    im = torch.rand(5, 3, 288, 288) * 255
    out = feature.extract(im)
    assert calls == [2, 2, 1]
    with torch.no_grad():
        reference = feature.net.extract_features((im / 255 - feature.mean) / feature.std, feature.feature_layers)
    assert torch.equal(out[0], reference['layer3'])   # oneDNN computes each sample alike in or out of a batch
    for got, layer in zip(feature.iounet_backbone_features, feature.iounet_feature_layers):
        assert torch.equal(got, reference[layer])


def test_small_crops_and_small_batches_run_as_one_call(monkeypatch):
    feature, calls = _feature_counting_calls(monkeypatch)
    monkeypatch.setattr(deep, '_CHUNK_PIXELS', 2 * 64 * 64)
    feature.extract(torch.rand(7, 3, 64, 64) * 255)          # below 224x224: one call (rounding would differ)
    monkeypatch.setattr(deep, '_CHUNK_PIXELS', 4 * 224 * 224)
    feature.extract(torch.rand(2, 3, 288, 288) * 255)        # a frame's scales: one call
    assert calls == [7, 2]
