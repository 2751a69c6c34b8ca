"""iounet_manual_gradient (ours): the IoU-Net's predicted IoU and box gradient computed without autograd equal
predict_iou + backward(), and the tracker's boxes do not move."""
import pytest
import torch

from atom_test_utils import make_video, small_params
from ltr.models.bbreg.atom_iou_net import AtomIoUNet
from ltr.ops import _extension
from pytracking.tracker.atom import get_tracker_class
from pytracking.tracker.atom.iou_box_gradient import iou_and_box_gradient, supported

pytestmark = pytest.mark.skipif(not _extension.has_kernel('cpu'), reason='needs the compiled PrRoIPool op')


def _net():
    torch.manual_seed(0)
    net = AtomIoUNet(input_dim=(8, 16), pred_input_dim=(16, 16), pred_inter_dim=(16, 16), branch_dim=16).eval()
    for m in net.modules():   # non-trivial eval-mode BN (a fresh one is nearly the identity)
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.3, 0.3)
            m.running_var.uniform_(0.5, 2.0)
            m.bias.data.uniform_(-0.2, 0.2)
    return net


def _assert_equals_autograd(net, modulation, test_feat, boxes):
    """iou_and_box_gradient against predict_iou + backward() (the reference)."""
    leaf = boxes.clone().requires_grad_(True)
    expected = net.predict_iou(modulation, test_feat, leaf)
    expected.backward(gradient=torch.ones_like(expected))
    iou, grad = iou_and_box_gradient(net, modulation, test_feat, boxes)
    torch.testing.assert_close(iou, expected.detach(), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(grad, leaf.grad, rtol=1e-4, atol=1e-6)
    assert grad.abs().sum() > 0


def test_manual_gradient_equals_autograd():
    net = _net()
    assert supported(net, 'cpu') and not supported(net.train(), 'cpu')
    net.eval()
    feats = [torch.randn(1, 8, 24, 24), torch.randn(1, 16, 12, 12)]
    with torch.no_grad():
        modulation = [m.reshape(-1, 1, 1) for m in net.get_modulation(feats, torch.tensor([[60.0, 50.0, 60.0, 40.0]]))]
        test_feat = net.get_iou_feat([torch.randn(1, 8, 24, 24), torch.randn(1, 16, 12, 12)])
    boxes = torch.tensor([[[60.0, 50.0, 60.0, 40.0], [55.5, 47.2, 70.1, 35.3], [80.0, 70.0, 20.0, 25.0],
                           [10.0, 12.0, 150.0, 140.0]]])
    _assert_equals_autograd(net, modulation, test_feat, boxes)

    # The head's weights change in place (a first-frame fit, a loaded checkpoint): the cached folded head follows.
    with torch.no_grad():
        net.fc3_rt.linear.weight.mul_(-1.5)
        net.fc4_rt.bn.running_var.mul_(3.0)
    _assert_equals_autograd(net, modulation, test_feat, boxes)


def test_tracker_boxes_unchanged_by_the_manual_gradient(random_atom_net):
    torch.set_num_threads(1)
    frames, boxes = make_video(num_frames=8)
    out = []
    for manual in (False, True):
        tracker = get_tracker_class()(small_params(random_atom_net, seed=0, iounet_manual_gradient=manual))
        tracker.initialize(frames[0], {'init_bbox': boxes[0]})
        out.append(torch.tensor([tracker.track(f)['target_bbox'] for f in frames[1:]]))
    assert (out[0] - out[1]).abs().max() < 1e-4
