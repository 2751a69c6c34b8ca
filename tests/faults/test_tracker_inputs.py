"""ATOM.initialize / ATOM.track with random and bad input (pytracking/tracker/atom/input_checks.py).

The property: initialize either raises a ValueError that names the argument and the problem -- exactly when the
input breaks a documented rule -- or it and several track calls return finite boxes of positive size."""
import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from faults_helpers import fast_atom_params
from pytracking.tracker.atom import get_tracker_class
from pytracking.tracker.atom.input_checks import MAX_BOX_TO_IMAGE

FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _tracker():
    return get_tracker_class()(fast_atom_params())


def _image(shape, dtype, seed):
    im = np.random.default_rng(seed).integers(0, 256, size=shape)
    return im.astype(dtype)


@st.composite
def images(draw):
    side = st.one_of(st.integers(8, 48), st.integers(49, 2000))
    H, W = draw(side), draw(side)
    shape = draw(st.sampled_from([(H, W), (H, W, 1), (H, W, 3)]))
    dtype = draw(st.sampled_from([np.uint8, np.float32, np.float64]))
    return _image(shape, dtype, draw(st.integers(0, 2 ** 16)))


@st.composite
def boxes(draw, H, W, kind):
    """Boxes of every kind: overlapping the image (sub-pixel to 2x the image, partly outside by up to 99 %, extreme
    aspect ratios), non-finite values, non-positive sizes, entirely outside, huge, or anything at all."""
    size = st.one_of(st.floats(1e-3, 1.0), st.floats(1.0, 2 * max(H, W)))
    w, h = draw(size), draw(size)
    x, y = draw(st.floats(-0.99 * w, W - 1e-3)), draw(st.floats(-0.99 * h, H - 1e-3))
    box = [x, y, w, h]
    if kind == 'non-finite':
        box[draw(st.integers(0, 3))] = draw(st.sampled_from([math.nan, math.inf, -math.inf]))
    elif kind == 'non-positive':
        box[draw(st.integers(2, 3))] = draw(st.floats(-1e4, 0.0))
    elif kind == 'outside':
        box[0] = draw(st.one_of(st.floats(W, 1e7), st.floats(-1e7, -w)))
    elif kind == 'huge':
        box[2:] = [draw(st.floats(max(H, W), 1e8)), draw(st.floats(max(H, W), 1e8))]
    elif kind == 'anything':
        box = [draw(st.floats(allow_nan=True, allow_infinity=True)) for _ in range(4)]
    return box


def _expected_problem(shape, box):
    H, W = shape[:2]
    x, y, w, h = box
    if not all(math.isfinite(v) for v in box):
        return 'NaN or infinite'
    if not (w > 0 and h > 0):
        return 'non-positive'
    if x >= W or y >= H or x + w <= 0 or y + h <= 0:
        return 'entirely outside'
    if math.sqrt(w * h) > MAX_BOX_TO_IMAGE * min(H, W):
        return 'too large'
    return None


def _assert_sane(box):
    assert len(box) == 4 and all(math.isfinite(v) for v in box), box
    assert box[2] > 0 and box[3] > 0, box


KINDS = ['overlap', 'non-finite', 'non-positive', 'outside', 'huge', 'anything']


def _check(image, box):
    """The property, with `_expected_problem` as the oracle of which inputs must be refused."""
    problem = _expected_problem(image.shape, box)
    event('refused: {}'.format(problem) if problem else 'tracked')
    tracker = _tracker()
    if problem is not None:
        with pytest.raises(ValueError, match='init_bbox') as err:
            tracker.initialize(image, {'init_bbox': box})
        assert problem in str(err.value)
        return
    tracker.initialize(image, {'init_bbox': box})
    frame = _image(image.shape, image.dtype, 7)
    for im in (image, frame, image):
        _assert_sane(tracker.track(im)['target_bbox'])


@settings(FUZZ, max_examples=25)
@given(data=st.data())
def test_fuzz_boxes_that_overlap_the_image_track_finite_boxes(data, one_thread):
    image = data.draw(images(), label='image')
    box = data.draw(boxes(*image.shape[:2], 'overlap'), label='init_bbox')
    _check(image, box)


@pytest.mark.parametrize('kind', KINDS[1:])
@settings(FUZZ, max_examples=8)
@given(data=st.data())
def test_fuzz_odd_boxes_are_refused_naming_init_bbox_or_tracked(kind, data, one_thread):
    image = data.draw(images(), label='image')
    box = data.draw(boxes(*image.shape[:2], kind), label='init_bbox')
    _check(image, box)


@pytest.mark.parametrize('image, message', [
    ([[1, 2], [3, 4]], 'must be a numpy array'),
    (np.zeros((10, 10, 4), np.uint8), '1 \\(grey\\) or 3 \\(RGB\\) channels'),
    (np.zeros((10, 10, 3, 1), np.uint8), 'HxWx3'),
    (np.zeros(10, np.uint8), 'HxWx3'),
    (np.zeros((0, 10, 3), np.uint8), 'empty'),
    (np.zeros((10, 10, 3), np.uint16), 'uint8 or floating point'),
    (np.zeros((10, 10), bool), 'uint8 or floating point'),
    (np.full((10, 10, 3), np.nan, np.float32), 'NaN or infinite pixel'),
])
def test_bad_first_image_names_image(image, message):
    with pytest.raises(ValueError, match='^image .*' + message):
        _tracker().initialize(image, {'init_bbox': [2, 2, 4, 4]})


@pytest.mark.parametrize('info, message', [
    ({}, 'info must be a dict holding "init_bbox"'),
    ([1, 2, 3, 4], 'info must be a dict'),
    ({'init_bbox': [1, 2, 3]}, 'init_bbox must be 4 numbers'),
    ({'init_bbox': 'abcd'}, 'init_bbox must be 4 numbers'),
    ({'init_bbox': ['1', '2', '3', '4']}, 'init_bbox must be 4 numbers'),
    ({'init_bbox': [1, 2, None, 4]}, 'init_bbox must be 4 numbers'),
    ({'init_bbox': [1, 2, -3, 4]}, 'non-positive width or height'),
    ({'init_bbox': [float('nan'), 2, 3, 4]}, 'NaN or infinite'),
    ({'init_bbox': [20, 2, 3, 4]}, 'entirely outside the 16x12'),
    ({'init_bbox': [-3, 2, 3, 4]}, 'entirely outside'),
    ({'init_bbox': [0, 0, 1e6, 1e6]}, 'too large'),
])
def test_bad_init_bbox_names_init_bbox(info, message):
    with pytest.raises(ValueError, match=message):
        _tracker().initialize(np.zeros((12, 16, 3), np.uint8), info)


def test_init_bbox_as_array_or_tensor_is_accepted(one_thread):
    image = _image((40, 50, 3), np.uint8, 0)
    out = []
    for box in ([10, 8, 12, 9], np.array([10, 8, 12, 9], np.float32), torch.tensor([10., 8., 12., 9.])):
        tracker = _tracker()
        tracker.initialize(image, {'init_bbox': box})
        out.append(tracker.track(image)['target_bbox'])
    assert out[0] == out[1] == out[2]


@pytest.fixture
def started(one_thread):
    tracker = _tracker()
    image = _image((40, 50, 3), np.uint8, 0)
    tracker.initialize(image, {'init_bbox': [10, 8, 12, 9]})
    return tracker, image


@pytest.mark.parametrize('frame, message', [
    (np.zeros((41, 50, 3), np.uint8), 'is 50x41 \\(WxH\\) but the first frame was 50x40'),
    (np.zeros((40, 50), np.uint8), 'is grey but the first frame was RGB'),
    (np.zeros((40, 50, 4), np.uint8), 'channels'),
    (np.full((40, 50, 3), np.inf), 'NaN or infinite pixel'),
    (None, 'must be a numpy array'),
])
def test_track_rejects_a_frame_unlike_the_first(started, frame, message):
    tracker, image = started
    with pytest.raises(ValueError, match='^image \\(track\\) .*' + message):
        tracker.track(frame)
    _assert_sane(tracker.track(image)['target_bbox'])    # the tracker is still usable after the refused frame


def test_track_accepts_another_dtype_with_the_same_result(one_thread):
    """uint8 and float frames are both read on the 0-255 scale: mixing them changes nothing."""
    image = _image((40, 50, 3), np.uint8, 0)
    frames = [_image((40, 50, 3), np.uint8, s) for s in (1, 2)]
    results = []
    for convert in (lambda f: f, lambda f: f.astype(np.float32), lambda f: f.astype(np.float64)):
        tracker = _tracker()
        tracker.initialize(image, {'init_bbox': [10, 8, 12, 9]})
        results.append([tracker.track(convert(f))['target_bbox'] for f in frames])
    assert results[0] == results[1] == results[2]


def test_grey_hxw_and_hxwx1_are_the_same(one_thread):
    image = _image((30, 36), np.uint8, 3)
    out = []
    for im in (image, image[:, :, None]):
        tracker = _tracker()
        tracker.initialize(im, {'init_bbox': [5, 5, 10, 8]})
        out.append(tracker.track(image[:, :, None] if im.ndim == 2 else image)['target_bbox'])
    assert out[0] == out[1]


def test_track_before_initialize():
    with pytest.raises(ValueError, match='before initialize'):
        _tracker().track(np.zeros((10, 10, 3), np.uint8))
