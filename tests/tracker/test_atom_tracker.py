"""End-to-end ATOM on the CPU with a random-init network: first-frame samples, labels, memory, tracking,
reproducibility."""
import math

import numpy as np
import pytest
import torch

from atom_test_utils import make_video, small_params
from pytracking.libs import TensorList
from pytracking.tracker.atom import get_tracker_class


def _run(net, seed, num_track=10, **overrides):
    torch.set_num_threads(1)
    frames, boxes = make_video(num_frames=num_track + 1)
    tracker = get_tracker_class()(small_params(net, seed=seed, **overrides))
    tracker.initialize(frames[0], {'init_bbox': boxes[0]})
    out = [tracker.track(f)['target_bbox'] for f in frames[1:]]
    return tracker, out, frames


@pytest.fixture(scope='module')
def first_run(random_atom_net):
    return _run(random_atom_net, seed=3)


def test_initialize_and_track_give_finite_sane_boxes(first_run):
    tracker, out, frames = first_run
    H, W = frames[0].shape[:2]
    assert len(out) == 10
    for box in out:
        assert len(box) == 4 and all(math.isfinite(v) for v in box)
        x, y, w, h = box
        assert 0 < w < 2 * W and 0 < h < 2 * H
        cx, cy = x + (w - 1) / 2, y + (h - 1) / 2
        # update_state keeps the centre within 30% of the target size outside the image
        assert -0.3 * h - 1e-3 <= cy <= H + 0.3 * h + 1e-3 and -0.3 * w - 1e-3 <= cx <= W + 0.3 * w + 1e-3


def test_same_seed_gives_identical_boxes(first_run, random_atom_net):
    _, out2, _ = _run(random_atom_net, seed=3)
    assert out2 == first_run[1]


def test_seed_holds_when_loading_the_network_draws_random_numbers(first_run, random_atom_net, monkeypatch):
    """Loading a network from a path builds a module (random init draws); the seeded stream must not depend on
    whether the network came as a path or as a loaded module."""
    from pytracking.features.deep import ATOMResNet18
    original = ATOMResNet18.initialize

    def initialize_with_draws(self):
        torch.rand(1000)
        original(self)

    monkeypatch.setattr(ATOMResNet18, 'initialize', initialize_with_draws)
    _, out2, _ = _run(random_atom_net, seed=3)
    assert out2 == first_run[1]


def test_init_sample_count_is_23_transforms_plus_7_dropout(first_run):
    tracker = first_run[0]
    assert len(tracker.transforms) == 30
    assert tracker.num_init_samples == [30]
    # The first 30 memory slots hold the compressed init samples, weight 1/30 each (before updates: sum 1).
    assert tracker.training_samples[0].shape[:2] == (250, 64)
    assert torch.count_nonzero(tracker.training_samples[0][:30].flatten(1).abs().sum(1)) == 30


def test_init_label_peaks_where_the_transform_moved_the_target(first_run):
    """Labels of the identity sample peak at the grid centre (+0.5 cell for the even kernel); a Translation
    by (dy, dx) sample pixels moves the peak by (dy, dx) * feature_sz / sample_sz cells."""
    tracker = first_run[0]
    fsz = tracker.feature_sz[0]           # 8x8 for a 128 px sample
    ssz = tracker.img_support_sz
    y = tracker.y[0]
    for i in (0, 1, 2, 3, 4):             # identity and the four relative shifts
        T = tracker.transforms[i]
        # continuous peak: grid index k has coordinate k - (sz-1)/2
        offset = (tracker.pos - tracker.pos.round()) / (tracker.target_scale * ssz) * fsz
        center = offset + 0.5 + torch.tensor(T.shift, dtype=torch.float32) / ssz * fsz
        expected_idx = torch.round(center + (fsz - 1) / 2)
        label = y[i, 0]
        peak = divmod(int(torch.argmax(label)), label.shape[1])
        assert peak == (int(expected_idx[0]), int(expected_idx[1])), (i, T.shift)
        assert label.max() <= 1 + 1e-6


def test_sample_weights_follow_exponential_recency(random_atom_net):
    """update_sample_weights against hand-computed values: lr=0.1, 2 init samples, min init weight 0.25."""
    from pytracking.tracker.atom.atom import ATOM
    from pytracking.utils import TrackerParams
    fpar = TrackerParams()
    fpar.learning_rate = 0.1
    fpar.init_samples_minimum_weight = 0.25
    sw = torch.tensor([0.5, 0.5, 0.0, 0.0, 0.0], dtype=torch.float64)
    tracker = ATOM(TrackerParams())
    ind = tracker.update_sample_weights(TensorList([sw]), [None], [2], [2], [fpar])
    # first update: (w / 0.9, then slot 2 = 0.1) normalised by 1/0.9 + 0.1
    s = 1 / 0.9 + 0.1
    assert ind == [2]
    np.testing.assert_allclose(sw.numpy(), [0.5 / 0.9 / s, 0.5 / 0.9 / s, 0.1 / s, 0, 0], rtol=1e-12)
    prev = sw.clone()
    ind = tracker.update_sample_weights(TensorList([sw]), [2], [3], [2], [fpar])
    assert ind == [3]
    raw = prev.clone()
    raw[3] = prev[2] / 0.9
    np.testing.assert_allclose(sw.numpy(), (raw / raw.sum()).numpy(), rtol=1e-12)


def test_bad_init_box_gives_clear_error(random_atom_net):
    frames, _ = make_video(num_frames=1)
    tracker = get_tracker_class()(small_params(random_atom_net))
    with pytest.raises(ValueError, match='init_bbox'):
        tracker.initialize(frames[0], {'init_bbox': [10, 10, 0, 5]})


@pytest.mark.parametrize('peak', [(4, 4), (5, 2), (1, 7)])
def test_localize_target_finds_displacement_of_score_peak(first_run, peak):
    """A (periodic) Gaussian score peak at grid index (r, c) means a displacement of (r, c) - sz/2 cells (the even 4x4
    kernel puts zero displacement half a cell past the centre), i.e. 16 px per cell times the target scale.
    Checks the Fourier upsampling (torch.fft port) and its shift conventions end to end."""
    tracker = first_run[0]
    fsz = int(tracker.feature_sz[0][0])
    rr, cc = torch.meshgrid(torch.arange(fsz).float(), torch.arange(fsz).float(), indexing='ij')
    # Periodic distances: the score map is treated as one period of a Fourier series.
    dr = torch.minimum((rr - peak[0]).abs(), fsz - (rr - peak[0]).abs())
    dc = torch.minimum((cc - peak[1]).abs(), fsz - (cc - peak[1]).abs())
    scores = torch.exp(-(dr ** 2 + dc ** 2) / (2 * 0.9 ** 2)).view(1, 1, fsz, fsz)
    translation, scale_ind, s, flag = tracker.localize_target(TensorList([scores]))
    stride = float(tracker.img_support_sz[0]) / fsz
    expected = (torch.tensor(peak, dtype=torch.float32) - fsz / 2) * stride * tracker.target_scale
    assert flag != 'not_found' and scale_ind == 0
    assert torch.allclose(translation, expected, atol=1.01 * float(tracker.target_scale)), (translation, expected)


def test_multiscale_without_iounet_runs(random_atom_net):
    """multiscale_no_iounet's setup (5 scales, no IoU-Net) on the CPU: finite boxes whose size changes only by
    the 1.02 scale steps per frame."""
    frames, boxes = make_video(num_frames=4)
    params = small_params(random_atom_net, use_iou_net=False, scale_factors=1.02 ** torch.arange(-2, 3).float())
    tracker = get_tracker_class()(params)
    tracker.initialize(frames[0], {'init_bbox': boxes[0]})
    prev_w = boxes[0][2]
    for f in frames[1:]:
        box = tracker.track(f)['target_bbox']
        assert all(math.isfinite(v) for v in box)
        assert 1 / 1.0405 - 1e-4 <= box[2] / prev_w <= 1.0405 + 1e-4
        prev_w = box[2]


def test_crop_center_rounded_selects_the_rounded_crop_centre(random_atom_net):
    """pytracking crops at trunc(pos) (sample_patch's pos.long()); crop_center_rounded crops at round(pos), where
    the labels and displacements are measured from. Box centre (51.5, 74.9): trunc (51, 74), round (52, 75)."""
    frames, _ = make_video(num_frames=1)
    box = [60.4, 40, 30, 24]                  # centre x = 60.4 + 29/2 = 74.9, y = 40 + 23/2 = 51.5
    centres = {}
    for rounded in (False, True):
        tracker = get_tracker_class()(small_params(random_atom_net, crop_center_rounded=rounded))
        tracker.initialize(frames[0], {'init_bbox': box})
        centres[rounded] = tracker._crop_pos(tracker.pos).long().tolist()
    assert centres[False] == [51, 74] and centres[True] == [52, 75]


class _FlatIoU(torch.nn.Module):
    """An IoU predictor with zero gradient everywhere: box refinement then keeps the initial box."""

    def predict_iou(self, modulation, feat, proposals):
        return proposals.sum(-1) * 0 + 0.5


@pytest.mark.parametrize('fixed', [False, True])
def test_refine_target_box_centre_convention(first_run, fixed):
    """With a flat IoU and no random boxes, pytracking's refinement moves the target by +0.5 sample pixel
    (times the scale) in x and y; with iounet_consistent_box_center the position is unchanged."""
    tracker = first_run[0]
    saved = {k: getattr(tracker, k) for k in ('pos', 'pos_iounet', 'target_sz', 'target_scale', 'iou_predictor')}
    saved_params = (tracker.params.num_init_random_boxes, tracker.params.get('iounet_consistent_box_center', False))
    try:
        tracker.iou_predictor = _FlatIoU()
        tracker.params.num_init_random_boxes = 0
        tracker.params.iounet_consistent_box_center = fixed
        tracker.debug_info = {}
        pos0, sz0 = tracker.pos.clone(), tracker.target_sz.clone()
        sample_pos = pos0.round()
        scale = torch.as_tensor(tracker.target_scale, dtype=torch.float32)
        tracker.refine_target_box(sample_pos, scale, 0, True)
        expected = pos0 if fixed else pos0 + 0.5 * scale
        assert torch.allclose(tracker.pos, expected, atol=1e-4)
        assert torch.allclose(tracker.target_sz, sz0, atol=1e-4)
    finally:
        for k, v in saved.items():
            setattr(tracker, k, v)
        tracker.params.num_init_random_boxes, tracker.params.iounet_consistent_box_center = saved_params


class _WidthIoU(torch.nn.Module):
    """IoU predictor whose score is the box width / 100: known scores, a non-zero gradient."""

    def predict_iou(self, modulation, feat, proposals):
        return proposals[..., 2] / 100


def test_zero_refinement_iterations_keep_and_score_the_initial_boxes(first_run):
    """box_refinement_iter=0 crashed in pytracking (no scores); it must return the initial boxes and their IoUs."""
    tracker = first_run[0]
    saved_pred, saved_iter = tracker.iou_predictor, tracker.params.box_refinement_iter
    try:
        tracker.iou_predictor = _WidthIoU()
        boxes = torch.tensor([[10., 20., 30., 40.], [5., 6., 50., 8.]])
        tracker.params.box_refinement_iter = 0
        out_boxes, out_iou = tracker.optimize_boxes(None, boxes)
        assert torch.equal(out_boxes, boxes)
        assert torch.allclose(out_iou, torch.tensor([0.3, 0.5]))
        # one iteration: a step of step_length * d(score)/dw * w = 1 * 0.01 * w along w only
        tracker.params.box_refinement_iter = 1
        out_boxes, out_iou = tracker.optimize_boxes(None, boxes)
        assert torch.allclose(out_boxes, boxes + torch.tensor([[0., 0., 0.3, 0.], [0., 0., 0.5, 0.]]))
        assert torch.allclose(out_iou, torch.tensor([0.3, 0.5]))
    finally:
        tracker.iou_predictor, tracker.params.box_refinement_iter = saved_pred, saved_iter


def test_video_path_wrapper_initialises_features_before_the_first_frame(random_atom_net):
    """run_video/run_webcam build MultiObjectWrapper(fast_load=True), which calls initialize_features() before
    initialize(): that must resolve the device itself (it crashed with AttributeError: 'device')."""
    from pytracking.evaluation.multi_object_wrapper import MultiObjectWrapper
    torch.set_num_threads(1)
    frames, boxes = make_video(num_frames=3)
    params = small_params(random_atom_net, seed=0)
    wrapper = MultiObjectWrapper(get_tracker_class(), params, None, fast_load=True)
    wrapper.initialize(frames[0], {'init_bbox': {1: boxes[0]}, 'init_object_ids': [1], 'object_ids': [1],
                                   'sequence_object_ids': [1]})
    out = wrapper.track(frames[1])
    box = out['target_bbox'][1]
    assert len(box) == 4 and all(math.isfinite(v) for v in box)


def test_public_return_shapes_are_pytracking_s(first_run):
    """Shapes, dtypes and devices of the per-frame values notebooks index, as the inventory gives them for
    pytracking (here with a 128 px sample: 8x8 features, 128x128 scores; ATOM's 288 px gives 18x18 / 288x288)."""
    tracker, _, frames = first_run
    im = torch.from_numpy(frames[-1]).permute(2, 0, 1).unsqueeze(0).float()
    scales = tracker.target_scale * tracker.params.scale_factors
    test_x = tracker.extract_processed_sample(im, tracker.pos, scales, tracker.img_sample_sz)
    assert isinstance(test_x, TensorList) and tuple(test_x[0].shape) == (1, 64, 8, 8)
    scores_raw = tracker.apply_filter(test_x)
    assert tuple(scores_raw[0].shape) == (1, 1, 8, 8)
    translation, scale_ind, s, flag = tracker.localize_target(scores_raw)
    assert tuple(s.shape) == (1, 1, 128, 128) and s.dtype == torch.float32 and s.device.type == 'cpu'
    assert tuple(translation.shape) == (2,) and isinstance(scale_ind, int)
    assert flag in (None, 'not_found', 'uncertain', 'hard_negative')
    assert tuple(tracker.get_iounet_box(tracker.pos, tracker.target_sz, tracker.pos.round(),
                                        tracker.target_scale).shape) == (4,)
    assert tuple(tracker.pos.shape) == (2,) and tuple(tracker.target_sz.shape) == (2,)
    out = tracker.track(frames[-1])
    assert set(out) == {'target_bbox'} and len(out['target_bbox']) == 4
    assert all(isinstance(v, float) for v in out['target_bbox'])
