"""IoUFeatureWindow: the IoU-Net's test branch computed only where the boxes read it must give what the whole-map
branch (AtomIoUNet.get_iou_feat, the reference) gives for those boxes: pooled IoU, box gradients, tracker boxes."""
import pytest
import torch
import torch.nn as nn

from atom_test_utils import make_video, small_params
from ltr.models.bbreg.atom_iou_net import AtomIoUNet
from pytracking.tracker.atom import get_tracker_class
from pytracking.tracker.atom.iou_feature_window import IoUFeatureWindow, branches


@pytest.fixture(scope='module')
def iou_net():
    torch.manual_seed(0)
    net = AtomIoUNet(input_dim=(16, 24), pred_input_dim=(32, 32), pred_inter_dim=(32, 32), branch_dim=32)
    for m in net.modules():   # non-trivial BN statistics, so the halo and the zero padding matter
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.bias.data.uniform_(-0.2, 0.2)
    return net.eval()


def _features(seed):
    g = torch.Generator().manual_seed(seed)
    return [torch.rand(1, 16, 36, 36, generator=g), torch.rand(1, 24, 18, 18, generator=g)]


def _iou_and_grad(net, modulation, maps, boxes):
    b = boxes.clone().view(1, -1, 4).requires_grad_(True)
    iou = net.predict_iou(modulation, maps, b)
    iou.sum().backward()
    return iou.detach(), b.grad


@pytest.mark.parametrize('boxes', [
    [[100.0, 110.0, 60.0, 50.0], [95.0, 120.0, 70.0, 40.0], [130.0, 100.0, 30.0, 80.0]],   # inside the crop
    [[-20.0, 250.0, 60.0, 50.0], [260.0, -10.0, 40.0, 40.0]],                              # over the borders
    [[96.0, 112.0, 64.0, 48.0], [97.0, 111.9, 47.0, 49.0]],             # edges on (and next to) cell boundaries
])
def test_pooled_iou_and_box_gradients_match_the_whole_map(iou_net, boxes):
    feats = _features(1)
    boxes = torch.tensor(boxes)
    with torch.no_grad():
        modulation = iou_net.get_modulation(_features(2), torch.tensor([[100.0, 100.0, 60.0, 60.0]]))
        full = list(iou_net.get_iou_feat(feats))
    window = IoUFeatureWindow(iou_net, feats)
    maps = window.features(boxes.view(1, -1, 4))
    assert min(window.coverage()) < 1.0 or boxes[:, 0].min() < 0   # a real window, not the whole map
    iou_ref, grad_ref = _iou_and_grad(iou_net, modulation, full, boxes)
    iou_win, grad_win = _iou_and_grad(iou_net, modulation, maps, boxes)
    torch.testing.assert_close(iou_win, iou_ref, rtol=0, atol=1e-5)
    torch.testing.assert_close(grad_win, grad_ref, rtol=0, atol=1e-5)


@pytest.mark.parametrize('box', [[-30.0, -30.0, 60.0, 60.0], [250.0, 250.0, 60.0, 60.0], [-30.0, 240.0, 80.0, 90.0],
                                 [120.0, 120.0, 30.0, 30.0]])
def test_window_cells_equal_the_whole_map_at_every_border(iou_net, box):
    # Unpadded convolutions on the window, with the map's zero padding reproduced at its borders: every computed
    # cell equals the whole-map branch's (corners, edges and the interior).
    feats = _features(3)
    with torch.no_grad():
        full = list(iou_net.get_iou_feat(feats))
    window = IoUFeatureWindow(iou_net, feats)
    maps = window.features(torch.tensor([[box]]))
    for level, (y0, y1, x0, x1) in enumerate(window.done):
        assert (y1 - y0) * (x1 - x0) > 0
        torch.testing.assert_close(maps[level][..., y0:y1, x0:x1], full[level][..., y0:y1, x0:x1],
                                   rtol=0, atol=1e-5)


def test_window_grows_when_a_box_leaves_it(iou_net):
    feats = _features(3)
    with torch.no_grad():
        modulation = iou_net.get_modulation(_features(4), torch.tensor([[100.0, 100.0, 60.0, 60.0]]))
        full = list(iou_net.get_iou_feat(feats))
    window = IoUFeatureWindow(iou_net, feats)
    first = torch.tensor([[[40.0, 40.0, 30.0, 30.0]]])
    window.features(first)
    small = window.coverage()
    far = torch.tensor([[[200.0, 210.0, 50.0, 40.0]]])
    maps = window.features(far)
    assert all(c > s for c, s in zip(window.coverage(), small))
    for boxes in (first, far):   # both still exact: the grown window keeps the first box's cells
        torch.testing.assert_close(_iou_and_grad(iou_net, modulation, maps, boxes.view(-1, 4))[0],
                                   _iou_and_grad(iou_net, modulation, full, boxes.view(-1, 4))[0], rtol=0, atol=1e-5)


def test_other_predictors_are_refused():
    class Custom(AtomIoUNet):
        def get_iou_feat(self, feat2):
            return super().get_iou_feat(feat2)
    assert branches(Custom()) is None
    assert branches(nn.Linear(2, 2)) is None
    with pytest.raises(ValueError, match='IoUFeatureWindow'):
        IoUFeatureWindow(nn.Linear(2, 2), _features(0))


def test_tracker_boxes_match_the_whole_map_branch(random_atom_net):
    """pytracking's computation (params.iounet_feature_window = False) against the window, same seed."""
    torch.set_num_threads(1)
    frames, boxes = make_video(num_frames=9)
    out = {}
    for use_window in (False, True):
        tracker = get_tracker_class()(small_params(random_atom_net, seed=5, iounet_feature_window=use_window))
        tracker.initialize(frames[0], {'init_bbox': boxes[0]})
        out[use_window] = torch.tensor([tracker.track(f)['target_bbox'] for f in frames[1:]])
    torch.testing.assert_close(out[True], out[False], rtol=0, atol=1e-4)
