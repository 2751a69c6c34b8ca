"""fold_batch_norm / FoldedFrozenForward: the folded copy computes the frozen network's function, leaves the
network (and its state dict) alone, and follows changes of the network's weights."""
import copy

import pytest
import torch
import torch.nn as nn

from ltr.models.backbone.mobilenet import MobileNetV2
from ltr.models.layers import fold_batch_norm as fbn
from ltr.models.layers.fold_batch_norm import FoldedFrozenForward, fold_batch_norm


def _randomised_bn(module, seed=0):
    """Non-trivial BN statistics and affine parameters (a fresh BN is the identity up to eps)."""
    g = torch.Generator().manual_seed(seed)
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g))
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.weight.data.copy_(torch.randn(m.num_features, generator=g))
            m.bias.data.copy_(torch.randn(m.num_features, generator=g))
    return module.eval()


def test_folded_conv_bn_relu_equals_the_hand_computed_composition():
    torch.manual_seed(0)
    block = _randomised_bn(nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU()))
    x = torch.randn(2, 3, 7, 7)
    conv, bn = block[0], block[1]
    # y = relu(gamma * (conv(x) - mean) / sqrt(var + eps) + beta), written out
    z = nn.functional.conv2d(x, conv.weight, conv.bias, padding=1)
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    expected = torch.relu(scale.view(1, -1, 1, 1) * (z - bn.running_mean.view(1, -1, 1, 1)) + bn.bias.view(1, -1, 1, 1))
    folded = fold_batch_norm(block)
    assert isinstance(folded[1], nn.Identity) and isinstance(block[1], nn.BatchNorm2d)   # the original is untouched
    torch.testing.assert_close(folded(x), expected, rtol=1e-5, atol=1e-5)
    assert not any(p.requires_grad for p in folded.parameters())


def test_folded_mobilenetv2_matches_the_network_and_leaves_its_state_dict():
    torch.manual_seed(0)
    net = _randomised_bn(MobileNetV2(output_layers=['layer2', 'layer3']))
    keys = list(net.state_dict())
    forward = FoldedFrozenForward(net, ['layer2', 'layer3'])
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        expected = net(x, ['layer2', 'layer3'])
    got = forward(x)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in forward.folded().modules())
    for name in ('layer2', 'layer3'):
        torch.testing.assert_close(got[name], expected[name], rtol=1e-4, atol=1e-4)
    assert list(net.state_dict()) == keys

    # New weights loaded into the network (a checkpoint) reach the folded copy.
    other = _randomised_bn(MobileNetV2(output_layers=['layer2', 'layer3']), seed=1)
    net.load_state_dict(other.state_dict())
    with torch.no_grad():
        expected = net(x, ['layer2', 'layer3'])
    torch.testing.assert_close(forward(x)['layer3'], expected['layer3'], rtol=1e-4, atol=1e-4)


def test_folded_forward_refuses_batch_norm_in_training_mode():
    net = MobileNetV2(output_layers=['layer2']).train()
    with pytest.raises(RuntimeError, match='training mode'):
        FoldedFrozenForward(net)(torch.randn(1, 3, 32, 32))


def test_optimized_graph_matches_the_network_for_other_shapes_layers_and_new_weights():
    torch.manual_seed(0)
    net = _randomised_bn(MobileNetV2(output_layers=['layer2', 'layer3']))
    forward = FoldedFrozenForward(net, ['layer2', 'layer3'], memory_format=torch.contiguous_format,
                                  optimize_for_inference=True)
    # Traced on the first input; the graph must serve other batch and image sizes, and other layer sets.
    for shape, layers in (((1, 3, 64, 64), ['layer2', 'layer3']), ((3, 3, 48, 80), ['layer2', 'layer3']),
                          ((2, 3, 64, 64), ['layer3'])):
        x = torch.randn(*shape)
        with torch.no_grad():
            expected = net(x, layers)
        got = forward(x, layers)
        assert list(got) == layers
        for name in layers:
            torch.testing.assert_close(got[name], expected[name], rtol=1e-4, atol=1e-4)
    graphs = {k: g for k, g in fbn._GRAPHS.items() if k[0] == forward._fingerprint}
    assert forward.optimize_for_inference and len(graphs) == 2   # traced once per layer set, no fallback
    assert all(isinstance(g, torch.jit.ScriptModule) for g in graphs.values())
    # The same weights loaded again (a tracker reloads its network per sequence) reuse the traced graph.
    again = FoldedFrozenForward(copy.deepcopy(net), ['layer2', 'layer3'], memory_format=torch.contiguous_format,
                                optimize_for_inference=True)
    again(x, ['layer3'])
    assert again._fingerprint == forward._fingerprint
    assert {k: g for k, g in fbn._GRAPHS.items() if k[0] == forward._fingerprint} == graphs

    other = _randomised_bn(MobileNetV2(output_layers=['layer2', 'layer3']), seed=1)
    net.load_state_dict(other.state_dict())
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        expected = net(x, ['layer3'])
    torch.testing.assert_close(forward(x, ['layer3'])['layer3'], expected['layer3'], rtol=1e-4, atol=1e-4)
    assert forward._fingerprint != again._fingerprint
