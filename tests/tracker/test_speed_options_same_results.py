"""Speed options (ours) must not change what ATOM tracks: with a fixed seed, the boxes with every option off (the
way pytracking computes) and with the defaults (options on) agree within 1e-4 px, on the synthetic test video
(ResNet-18, random weights) and on a real-footage demo sequence with the demo parameters (ImageNet MobileNetV2
backbone, random IoU-Net; there the deep feature's options too: BN folding, the TorchScript backbone). Filter
updates every 3rd frame so the optimiser runs several times."""
import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from atom_test_utils import make_video, small_params
from pytracking.tracker.atom import get_tracker_class

# Every speed option that is on by default, with the value that turns it off (pytracking's computation).
# (params.filter_matmul is off by default: it changes the float rounding inside the Gauss-Newton / CG solves, which
# their 60 float32 iterations amplify; tests/tracker/test_atom_optim.py checks it is the same maths in float64.)
SPEED_OPTIONS_OFF = {
    'iounet_feature_window': False,    # IoU-Net test branch over the whole crop
    'optimize_filled_memory_only': False,   # filter updates over all memory slots, empty ones included
    'iounet_manual_gradient': False,   # the refinement's box gradient by autograd (predict_iou + backward)
}
# Options of the deep feature (off by default, on in the demo parameters).
FEATURE_OPTIONS_OFF = {
    'fold_batch_norm': False,          # batch norm as its own pass, not folded into the convolutions
    'optimize_for_inference': False,   # the backbone eagerly, not as a TorchScript graph
}


def _track(params, frames, init_box):
    tracker = get_tracker_class()(params)
    tracker.initialize(frames[0], {'init_bbox': list(init_box)})
    return torch.tensor([tracker.track(f)['target_bbox'] for f in frames[1:]], dtype=torch.float64)


def _compare(make_params, frames, init_box, off=SPEED_OPTIONS_OFF):
    torch.set_num_threads(1)
    reference = _track(make_params(**off), frames, init_box)
    fast = _track(make_params(), frames, init_box)
    assert torch.isfinite(reference).all()
    torch.testing.assert_close(fast, reference, rtol=0, atol=1e-4)


def test_speed_options_keep_the_boxes_on_the_synthetic_video(random_atom_net):
    frames, boxes = make_video(num_frames=13)
    _compare(lambda **o: small_params(random_atom_net, seed=7, train_skipping=3, **o), frames, boxes[0])


@pytest.fixture(scope='module')
def demo_shaped_net():
    from ltr.models.bbreg.atom import atom_mobilenetv2
    torch.manual_seed(2)
    return atom_mobilenetv2(iou_input_dim=(128, 128), iou_inter_dim=(128, 128), iou_branch_dim=128).eval()


def test_speed_options_keep_the_boxes_on_real_footage(demo_shaped_net):
    from ltr.dataset.demo_camera import REAL_PLAN, render_real_sequence
    seq = render_real_sequence(REAL_PLAN[0], num_frames=13)

    def make_params(**overrides):
        from pytracking.parameter.atom.demo import parameters
        params = parameters()
        params.use_gpu = False
        params.seed = 11
        params.train_skipping = 3
        params.features.features[0].net_path = demo_shaped_net
        params.filter_matmul = False   # a rounding-order option (see SPEED_OPTIONS_OFF)
        for k, v in overrides.items():
            setattr(params.features.features[0] if k in FEATURE_OPTIONS_OFF else params, k, v)
        return params
    _compare(make_params, seq.frames, seq.box[0], off={**SPEED_OPTIONS_OFF, **FEATURE_OPTIONS_OFF})


def _conv2d_blur(image, filter_size, kernels):
    """The first-frame blur as two F.conv2d passes (how pytracking computes it)."""
    h, w = image.shape[-2:]
    im = F.conv2d(image.reshape(-1, 1, h, w), kernels[0].to(image.dtype), padding=(filter_size[0], 0))
    return F.conv2d(im, kernels[1].to(image.dtype), padding=(0, filter_size[1])).reshape(image.shape)


def test_faster_blur_and_max_pool_keep_the_boxes(random_atom_net, monkeypatch):
    """Always-on kernels (ours): the shifted-sum blur of the augmented samples and oneDNN's max pooling in the
    ResNet stem, against F.conv2d's blur and ATen's pooling, with the default parameters."""
    from pytracking.features import augmentation
    frames, boxes = make_video(num_frames=13)
    params = lambda net: small_params(net, seed=3, train_skipping=3)  # noqa: E731
    fast = _track(params(random_atom_net), frames, boxes[0])

    reference_net = copy.deepcopy(random_atom_net)
    reference_net.feature_extractor.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
    monkeypatch.setattr(augmentation, 'separable_blur', _conv2d_blur)
    reference = _track(params(reference_net), frames, boxes[0])
    assert torch.isfinite(reference).all()
    torch.testing.assert_close(fast, reference, rtol=0, atol=1e-4)
