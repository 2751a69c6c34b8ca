"""The OpenCV baseline trackers (pytracking/tracker/opencv) and the first-box baseline (pytracking/tracker/firstbox).

The expectation is the known motion of a textured square pasted onto a smooth background (made here), not
anything computed by the code under test.
"""
import os

import cv2
import numpy as np
import pytest

from pytracking.utils import TrackerParams

START_BOX = (30, 40, 32, 32)   # x, y, w, h in the first frame
STEP = (3, 1.5)                # px per frame


def make_sequence(n=30, size=(120, 160), box=START_BOX, step=STEP, seed=0):
    """RGB uint8 frames of a square of 4x4-px random colour blocks moving by `step` per frame over a blurred,
    low-contrast noise background; returns (frames, ground-truth boxes [n, 4])."""
    rng = np.random.default_rng(seed)
    height, width = size
    bg = cv2.GaussianBlur(rng.integers(0, 256, (height, width, 3)).astype(np.uint8), (0, 0), 3)
    bg = (bg.astype(np.float32) * 0.5 + 64).astype(np.uint8)
    bw, bh = box[2], box[3]
    patch = cv2.resize(rng.integers(0, 256, (bh // 4, bw // 4, 3)).astype(np.uint8), (bw, bh),
                       interpolation=cv2.INTER_NEAREST)
    frames, gt = [], []
    for i in range(n):
        x, y = int(round(box[0] + step[0] * i)), int(round(box[1] + step[1] * i))
        assert x + bw <= width and y + bh <= height
        frame = bg.copy()
        frame[y:y + bh, x:x + bw] = patch
        frames.append(frame)
        gt.append([x, y, bw, bh])
    return frames, np.array(gt, dtype=float)


def iou(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    x0, y0 = np.maximum(a[:, 0], b[:, 0]), np.maximum(a[:, 1], b[:, 1])
    x1 = np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2])
    y1 = np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    return inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter)


def opencv_params(param_file, **extra):
    """pytracking/parameter/opencv/<param_file>.py's parameters, with attributes overridden by `extra`."""
    from pytracking.parameter.opencv import csrt, kcf, mil
    params = {'csrt': csrt, 'kcf': kcf, 'mil': mil}[param_file].parameters()
    for k, v in extra.items():
        setattr(params, k, v)
    return params


def run_tracker(tracker, frames, init_box):
    out = tracker.initialize(frames[0], {'init_bbox': list(init_box)})
    assert isinstance(out, dict) and out['time'] >= 0
    return np.array([tracker.track(f)['target_bbox'] for f in frames[1:]])


@pytest.fixture(autouse=True)
def _restore_threads():
    import torch
    cv_threads, torch_threads = cv2.getNumThreads(), torch.get_num_threads()
    yield
    cv2.setNumThreads(cv_threads)
    torch.set_num_threads(torch_threads)


@pytest.fixture(scope='module')
def sequence():
    return make_sequence()


def test_parameter_files():
    from pytracking.evaluation import Tracker
    from pytracking.tracker.firstbox import FirstBox
    from pytracking.tracker.opencv import OpenCVTracker
    for t in ('csrt', 'kcf', 'mil'):
        trk = Tracker('opencv', t)
        assert trk.tracker_class is OpenCVTracker
        assert trk.get_parameters().tracker_type == t
    assert Tracker('firstbox', 'default').tracker_class is FirstBox
    Tracker('firstbox', 'default').get_parameters()


# Mean IoU over frames 1..29 with the known motion. Seen with OpenCV 5.1: CSRT 0.95, KCF 0.74, MIL 0.74; the first
# box scores 0.10 (the square leaves it after 10 frames).
@pytest.mark.parametrize('tracker_type,min_mean_iou', [('csrt', 0.5), ('kcf', 0.4), ('mil', 0.4)])
def test_follows_moving_square(sequence, tracker_type, min_mean_iou):
    from pytracking.tracker.opencv import OpenCVTracker
    frames, gt = sequence
    cv2.setRNGSeed(0)  # MIL samples patches with OpenCV's RNG
    boxes = run_tracker(OpenCVTracker(opencv_params(tracker_type)), frames, gt[0])
    ious = iou(boxes, gt[1:])
    first_box_ious = iou(np.repeat(gt[:1], len(gt) - 1, axis=0), gt[1:])
    assert ious.mean() > min_mean_iou, ious
    assert ious.mean() > first_box_ious.mean() + 0.3
    assert ious[-5:].mean() > 0.3  # still on the target at the end, where the first box has IoU 0
    assert first_box_ious[-5:].max() == 0


def test_first_box_tracker_returns_init_box(sequence):
    from pytracking.tracker.firstbox import FirstBox
    frames, gt = sequence
    init = [30.5, 40.25, 32.0, 31.5]
    boxes = run_tracker(FirstBox(TrackerParams()), frames[:5], init)
    assert boxes.tolist() == [init] * 4


def test_frames_handed_to_opencv_are_bgr(monkeypatch, sequence):
    """The tracker gets pytracking's RGB frames; OpenCV must receive the BGR conversion of each of them."""
    from pytracking.tracker.opencv import opencv_tracker
    frames, gt = sequence
    seen = []

    class Spy:
        def __init__(self, inner):
            self.inner = inner

        def init(self, image, rect):
            seen.append(image.copy())
            return self.inner.init(image, rect)

        def update(self, image):
            seen.append(image.copy())
            return self.inner.update(image)

    real_create = opencv_tracker.create_opencv_tracker
    monkeypatch.setattr(opencv_tracker, 'create_opencv_tracker',
                        lambda *a, **k: (lambda t, legacy: (Spy(t), legacy))(*real_create(*a, **k)))
    # A pure-red target (RGB) on a pure-blue background: in BGR the red must be in channel 2.
    rgb = np.zeros((60, 80, 3), np.uint8)
    rgb[..., 2] = 255
    rgb[20:40, 30:50] = (255, 0, 0)
    trk = opencv_tracker.OpenCVTracker(opencv_params('kcf'))
    run_tracker(trk, [rgb, rgb] + frames[:2], [30, 20, 20, 20])
    assert len(seen) == 4
    assert seen[0][30, 40].tolist() == [0, 0, 255] and seen[0][5, 5].tolist() == [255, 0, 0]
    for handed, original in zip(seen, [rgb, rgb] + frames[:2]):
        np.testing.assert_array_equal(handed, cv2.cvtColor(original, cv2.COLOR_RGB2BGR))
        np.testing.assert_array_equal(handed, original[..., ::-1])


def test_unknown_tracker_type_is_a_clear_error():
    from pytracking.tracker.opencv import OpenCVTracker
    with pytest.raises(ValueError, match=r"Unknown OpenCV tracker_type 'boosting'.*csrt, kcf, mil"):
        OpenCVTracker(opencv_params('csrt', tracker_type='boosting'))


def test_missing_contrib_tracker_names_the_package(monkeypatch):
    from pytracking.tracker.opencv import OpenCVTracker
    for name in ('TrackerCSRT', 'TrackerCSRT_create'):
        monkeypatch.delattr(cv2, name, raising=False)
    if hasattr(cv2, 'legacy'):
        monkeypatch.delattr(cv2, 'legacy')
    trk = OpenCVTracker(opencv_params('csrt'))
    with pytest.raises(RuntimeError, match='opencv-contrib-python-headless'):
        trk.initialize(np.zeros((50, 50, 3), np.uint8), {'init_bbox': [10, 10, 20, 20]})


def test_opencv_params_and_bad_frames():
    from pytracking.tracker.opencv import OpenCVTracker
    frame = np.zeros((50, 50, 3), np.uint8)
    with pytest.raises(ValueError, match='no field'):
        OpenCVTracker(opencv_params('kcf', opencv_params={'no_such_field': 1})).initialize(
            frame, {'init_bbox': [10, 10, 20, 20]})
    OpenCVTracker(opencv_params('kcf', opencv_params={'detect_thresh': 0.3})).initialize(
        frame, {'init_bbox': [10, 10, 20, 20]})
    with pytest.raises(ValueError, match='uint8'):
        OpenCVTracker(opencv_params('kcf')).initialize(frame.astype(np.float32), {'init_bbox': [10, 10, 20, 20]})


def test_lost_target_keeps_last_box(monkeypatch):
    from pytracking.tracker.opencv import opencv_tracker

    class Failing:
        def __init__(self):
            self.calls = 0

        def init(self, image, rect):
            return None

        def update(self, image):
            self.calls += 1
            return (True, (12, 11, 20, 20)) if self.calls == 1 else (False, (0, 0, 0, 0))

    monkeypatch.setattr(opencv_tracker, 'create_opencv_tracker', lambda *a, **k: (Failing(), False))
    trk = opencv_tracker.OpenCVTracker(opencv_params('kcf'))
    frame = np.zeros((50, 50, 3), np.uint8)
    boxes = run_tracker(trk, [frame] * 4, [10, 10, 20, 20])
    assert boxes.tolist() == [[12, 11, 20, 20]] * 3 and trk.num_failures == 2


def test_thread_setting():
    import torch

    from pytracking.tracker.opencv import OpenCVTracker
    frame = np.zeros((50, 50, 3), np.uint8)
    OpenCVTracker(opencv_params('kcf', num_threads=1)).initialize(frame, {'init_bbox': [10, 10, 20, 20]})
    assert cv2.getNumThreads() == 1
    torch.set_num_threads(2)
    OpenCVTracker(opencv_params('kcf')).initialize(frame, {'init_bbox': [10, 10, 20, 20]})
    assert cv2.getNumThreads() == 2  # None follows torch's thread count


def test_through_the_evaluation_framework(tmp_path, pyt_env, sequence):
    """Tracker('opencv', 'csrt') on PNG files (read by pytracking as RGB), results saved by running.py."""
    from pytracking.evaluation import Tracker
    from pytracking.evaluation.data import Sequence
    from pytracking.evaluation.running import run_dataset
    frames, gt = sequence
    paths = []
    for i, f in enumerate(frames[:12]):
        paths.append(str(tmp_path / '{:04d}.png'.format(i)))
        cv2.imwrite(paths[-1], cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    seq = Sequence('square', paths, 'otb', gt[:12])
    trackers = [Tracker('opencv', 'csrt'), Tracker('firstbox', 'default')]
    assert run_dataset([seq], trackers) == []
    boxes = np.loadtxt(os.path.join(trackers[0].results_dir, 'square.txt'), delimiter='\t')
    assert boxes.shape == (12, 4) and iou(boxes[1:], gt[1:12]).mean() > 0.5
    times = np.loadtxt(os.path.join(trackers[0].results_dir, 'square_time.txt'))
    assert times.shape == (12,) and (times > 0).all()
    first = np.loadtxt(os.path.join(trackers[1].results_dir, 'square.txt'), delimiter='\t')
    assert (first == gt[0]).all()
