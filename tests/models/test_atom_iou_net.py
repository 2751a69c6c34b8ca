"""AtomIoUNet / ATOMnet behaviour that can be checked independently of our own outputs."""
import torch
import torch.nn as nn

from ltr.models.bbreg import AtomIoUNet
from ltr.models.bbreg.atom import ATOMnet, atom_resnet18
from ltr.models.layers.blocks import LinearBlock, conv_block
from ltr.ops.prroi_pool import prroi_pool2d

torch.set_num_threads(1)


def _small_inputs(num_seq=2, n_prop=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    # ResNet-18 layer2 / layer3 shapes for a 64x64 crop (strides 8 and 16)
    feat1 = [torch.rand(num_seq, 128, 8, 8, generator=g), torch.rand(num_seq, 256, 4, 4, generator=g)]
    feat2 = [torch.rand(num_seq, 128, 8, 8, generator=g), torch.rand(num_seq, 256, 4, 4, generator=g)]
    bb1 = torch.tensor([[[10., 12., 30., 25.], [20., 5., 20., 40.]]])[:, :num_seq]
    proposals = bb1.unsqueeze(2).repeat(1, 1, n_prop, 1) + 4 * torch.rand(1, num_seq, n_prop, 4, generator=g)
    return feat1, feat2, bb1, proposals


def test_init_follows_inventory():
    torch.manual_seed(0)
    net = AtomIoUNet()
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            assert torch.all((m.weight >= 0) & (m.weight <= 1)) and torch.all(m.bias == 0)
            assert m.weight.std() > 0.2            # U(0,1), not PyTorch's current constant 1
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            assert torch.all(m.bias == 0)
    w = net.fc3_rt.linear.weight                  # kaiming fan_in: std = sqrt(2 / fan_in)
    expected = (2.0 / w.shape[1]) ** 0.5
    assert abs(w.std().item() - expected) < 0.05 * expected
    assert net.fc3_1r[0].padding == (0, 0) and net.conv3_1r[0].padding == (1, 1)


def test_forward_is_per_sequence_and_matches_explicit_pipeline():
    torch.manual_seed(0)
    net = AtomIoUNet().eval()
    feat1, feat2, bb1, proposals = _small_inputs()
    with torch.no_grad():
        out = net(feat1, feat2, bb1, proposals)
        assert out.shape == (1, 2, 3)
        # Sequence 1 alone gives the same numbers (no mixing across the batch in eval mode).
        out1 = net([f[1:] for f in feat1], [f[1:] for f in feat2], bb1[:, 1:], proposals[:, 1:])
        torch.testing.assert_close(out[:, 1:], out1, rtol=1e-5, atol=1e-6)

        # Hand-written pipeline for sequence 0, proposal 2, following the inventory's description.
        b = bb1[0, 0]
        roi = torch.tensor([[0., b[0], b[1], b[0] + b[2], b[1] + b[3]]])
        c3_r = net.conv3_1r(feat1[0][:1])
        c4_r = net.conv4_1r(feat1[1][:1])
        r3 = net.fc3_1r(prroi_pool2d(c3_r, roi, 3, 3, 1 / 8))
        r4 = prroi_pool2d(c4_r, roi, 1, 1, 1 / 16)
        mod = torch.cat((r3, r4), dim=1)
        m3, m4 = net.fc34_3r(mod), net.fc34_4r(mod)
        t3 = net.conv3_2t(net.conv3_1t(feat2[0][:1])) * m3
        t4 = net.conv4_2t(net.conv4_1t(feat2[1][:1])) * m4
        p = proposals[0, 0, 2]
        proi = torch.tensor([[0., p[0], p[1], p[0] + p[2], p[1] + p[3]]])
        f3 = net.fc3_rt(prroi_pool2d(t3, proi, 5, 5, 1 / 8))
        f4 = net.fc4_rt(prroi_pool2d(t4, proi, 3, 3, 1 / 16))
        ref = net.iou_predictor(torch.cat((f3, f4), dim=1))
    torch.testing.assert_close(out[0, 0, 2], ref[0, 0], rtol=1e-5, atol=1e-6)


def test_only_first_reference_image_is_used():
    torch.manual_seed(0)
    net = AtomIoUNet().eval()
    feat1, feat2, bb1, proposals = _small_inputs(num_seq=1)
    # Two reference images and two test images; the second reference image must not matter.
    feat1_a = [torch.stack((f, f)) for f in feat1]
    feat1_b = [torch.stack((f, torch.rand_like(f))) for f in feat1]
    bb1_2 = torch.cat((bb1, bb1 + 3), dim=0)
    feat2_2 = [torch.stack((f, f.flip(-1))) for f in feat2]
    prop_2 = torch.cat((proposals, proposals + 1), dim=0)
    with torch.no_grad():
        a = net(feat1_a, feat2_2, bb1_2, prop_2)
        b = net(feat1_b, feat2_2, bb1_2, prop_2)
    assert a.shape == (2, 1, 3)
    torch.testing.assert_close(a, b)


def test_atomnet_frozen_backbone_and_gradients():
    torch.manual_seed(0)
    net = atom_resnet18(backbone_pretrained=False)
    assert isinstance(net, ATOMnet) and net.bb_regressor_layer == ['layer2', 'layer3']
    assert all(not p.requires_grad for p in net.feature_extractor.parameters())
    assert all(p.requires_grad for p in net.bb_regressor.parameters())
    imgs = torch.randn(1, 2, 3, 64, 64)
    bb = torch.tensor([[[10., 12., 30., 25.], [20., 5., 20., 40.]]])
    props = bb.unsqueeze(2).repeat(1, 1, 4, 1) + torch.rand(1, 2, 4, 4)
    out = net(imgs, imgs, bb, props)
    assert out.shape == (1, 2, 4)
    out.sum().backward()
    assert net.bb_regressor.iou_predictor.weight.grad is not None
    assert net.feature_extractor.conv1.weight.grad is None


def test_atomnet_more_test_than_train_images():
    # pytracking reshaped the proposals with the train image count; with 1 train and 2 test images the
    # result for test image k must equal running that test image alone.
    torch.manual_seed(0)
    net = atom_resnet18(backbone_pretrained=False).eval()
    train = torch.randn(1, 1, 3, 64, 64)
    test = torch.randn(2, 1, 3, 64, 64)
    bb = torch.tensor([[[10., 12., 30., 25.]]])
    props = bb.unsqueeze(2).repeat(2, 1, 3, 1) + torch.rand(2, 1, 3, 4)
    with torch.no_grad():
        both = net(train, test, bb, props)
        second = net(train, test[1:], bb, props[1:])
    assert both.shape == (2, 1, 3)
    torch.testing.assert_close(both[1:], second, rtol=1e-5, atol=1e-6)


def test_linear_block_hand_computed():
    blk = LinearBlock(1, 2, 2, batch_norm=False)
    with torch.no_grad():
        blk.linear.weight.copy_(torch.tensor([[1., 0, 0, 0], [0, -1, 0, 1]]))
        blk.linear.bias.copy_(torch.tensor([0.5, 0.]))
    x = torch.tensor([[[[1., 2.], [3., 4.]]]])
    # row 0: 1 + 0.5 = 1.5; row 1: -2 + 4 = 2; then ReLU
    torch.testing.assert_close(blk(x), torch.tensor([[1.5, 2.0]]))
    x2 = torch.tensor([[[[1., 5.], [3., 4.]]]])
    torch.testing.assert_close(blk(x2), torch.tensor([[1.5, 0.0]]))


def test_conv_block_layout():
    blk = conv_block(3, 4)
    assert [type(m) for m in blk] == [nn.Conv2d, nn.BatchNorm2d, nn.ReLU]
    rep = conv_block(3, 4, padding_mode='replicate', batch_norm=False, relu=False)
    assert isinstance(rep[0], nn.ReflectionPad2d) and rep[1].padding == (0, 0)   # pytracking's quirk
