"""OpenCV's single-object trackers (CSRT, KCF, MIL) behind pytracking's tracker interface, as baselines for ATOM.

`params.tracker_type` picks the tracker ('csrt', 'kcf', 'mil'; see pytracking/parameter/opencv/). The
constructor is looked up in the installed cv2, newest API first: `cv2.TrackerCSRT.create()` (OpenCV >= 4.5.1),
`cv2.TrackerCSRT_create()` (older 4.x and 3.x), then the `cv2.legacy` versions. CSRT and KCF live in OpenCV's
contrib modules: without them (e.g. plain `opencv-python`) a RuntimeError says to install
`opencv-contrib-python-headless`.

Conventions:
- frames arrive as RGB uint8 HxWx3 (pytracking's `Tracker._read_image` converts OpenCV's BGR to RGB) and are
  converted back to BGR before OpenCV sees them (CSRT's colour-names and HOG features are channel-order aware);
- boxes are [x, y, w, h] in pixels; the init box is rounded to integers and clipped to the image, because
  OpenCV's trackers take an integer `cv::Rect` inside the frame;
- when OpenCV reports a failure (`update()` returns ok=False, e.g. KCF's detection score below its threshold),
  the last successful box is reported again: pytracking's result format has one box per frame and no "lost"
  state, and holding the last box is what a user of these trackers would display;
- threads: `params.num_threads` (int) is passed to `cv2.setNumThreads`; None (the default) makes OpenCV use
  torch's thread count in this process, i.e. what the evaluation set up (running.py gives each worker process
  its share of the cores with `torch.set_num_threads`; run_demo_comparison.py sets both to `--threads`).
"""
import time

import cv2
import numpy as np

from pytracking.tracker.base import BaseTracker

CONTRIB_PACKAGE = 'opencv-contrib-python-headless'

# tracker_type -> (OpenCV class name, part of the contrib modules)
TRACKER_TYPES = {
    'csrt': ('TrackerCSRT', True),
    'kcf': ('TrackerKCF', True),
    'mil': ('TrackerMIL', False),  # in OpenCV's main modules (video) since 4.5.1, contrib before
}


def _constructor(class_name):
    """(create function, Params class or None, is_legacy) for `class_name`, newest API first; None if absent."""
    legacy = getattr(cv2, 'legacy', None)
    cls = getattr(cv2, class_name, None)
    if cls is not None and hasattr(cls, 'create'):
        return cls.create, getattr(cls, 'Params', None), False
    if hasattr(cv2, class_name + '_create'):
        return getattr(cv2, class_name + '_create'), getattr(cv2, class_name + '_Params', None), False
    if legacy is not None:
        lcls = getattr(legacy, class_name, None)
        if lcls is not None and hasattr(lcls, 'create'):
            return lcls.create, getattr(lcls, 'Params', None), True
        if hasattr(legacy, class_name + '_create'):
            return getattr(legacy, class_name + '_create'), getattr(legacy, class_name + '_Params', None), True
    return None


def create_opencv_tracker(tracker_type, opencv_params=None):
    """A fresh OpenCV tracker of `tracker_type` ('csrt', 'kcf', 'mil'); `opencv_params` ({name: value}) are set
    on its Params object. Returns (tracker, is_legacy)."""
    key = str(tracker_type).lower()
    if key not in TRACKER_TYPES:
        raise ValueError('Unknown OpenCV tracker_type {!r}; choose one of {}'
                         .format(tracker_type, ', '.join(sorted(TRACKER_TYPES))))
    class_name, contrib = TRACKER_TYPES[key]
    found = _constructor(class_name)
    if found is None:
        raise RuntimeError(
            'OpenCV {} has no {} (tried cv2.{c}.create, cv2.{c}_create and cv2.legacy): {}install {} (and '
            'uninstall opencv-python / opencv-python-headless, which provide a cv2 without the contrib trackers)'
            .format(cv2.__version__, class_name, 'it is one of the contrib trackers; ' if contrib else '',
                    CONTRIB_PACKAGE, c=class_name))
    create, params_cls, is_legacy = found
    if not opencv_params:
        return create(), is_legacy
    if params_cls is None:
        raise RuntimeError('cv2 {} exposes no Params class for {}, so opencv_params {} cannot be set'
                           .format(cv2.__version__, class_name, opencv_params))
    p = params_cls()
    for name, value in opencv_params.items():
        if name.startswith('_') or not hasattr(p, name):
            names = sorted(n for n in dir(p) if not n.startswith('_'))
            raise ValueError('{}.Params has no field {!r}; fields: {}'.format(class_name, name, ', '.join(names)))
        setattr(p, name, value)
    return create(p), is_legacy


def rgb_to_bgr(image):
    """The uint8 BGR frame OpenCV expects, from pytracking's RGB uint8 HxWx3 frame (grayscale HxW accepted)."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ValueError('OpenCV trackers need uint8 frames, got dtype {}'.format(image.dtype))
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError('Expected an RGB frame of shape HxWx3, got shape {}'.format(image.shape))
    return cv2.cvtColor(image, cv2.COLOR_RGB2BGR)


def init_rect(box, image_shape):
    """Integer (x, y, w, h) of `box` rounded and clipped to an image of `image_shape` (H, W, ...)."""
    x, y, w, h = [float(v) for v in box]
    if not (w > 0 and h > 0):
        raise ValueError('Init box must have positive width and height, got {}'.format(list(box)))
    height, width = image_shape[:2]
    x0, y0 = max(0, int(round(x))), max(0, int(round(y)))
    x1, y1 = min(width, int(round(x + w))), min(height, int(round(y + h)))
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise ValueError('Init box {} lies outside the {}x{} image'.format(list(box), width, height))
    return x0, y0, x1 - x0, y1 - y0


def apply_thread_setting(num_threads=None):
    """cv2.setNumThreads(num_threads), or torch's thread count in this process when None. Returns the count."""
    if num_threads is None:
        try:
            import torch
            num_threads = torch.get_num_threads()
        except ImportError:
            return cv2.getNumThreads()
    cv2.setNumThreads(int(num_threads))
    return int(num_threads)


class OpenCVTracker(BaseTracker):
    """pytracking tracker around cv2.TrackerCSRT / TrackerKCF / TrackerMIL (`params.tracker_type`)."""

    multiobj_mode = 'parallel'  # one OpenCV tracker per object on multi-object sequences

    def __init__(self, params):
        super().__init__(params)
        self.tracker_type = str(self._param('tracker_type', None)).lower()
        if self.tracker_type not in TRACKER_TYPES:  # fail when the tracker is built, not at the first frame
            raise ValueError('Unknown OpenCV tracker_type {!r}; choose one of {}'
                             .format(self._param('tracker_type', None), ', '.join(sorted(TRACKER_TYPES))))
        self._tracker = None
        self.box = None
        self.num_failures = 0  # frames in which OpenCV reported a failure (the last box was held)

    def _param(self, name, default):
        if hasattr(self.params, 'get'):
            return self.params.get(name, default)
        return getattr(self.params, name, default)

    def initialize(self, image, info: dict) -> dict:
        tic = time.perf_counter()
        self.num_threads = apply_thread_setting(self._param('num_threads', None))
        self._tracker, self._legacy = create_opencv_tracker(self.tracker_type, self._param('opencv_params', None))
        frame = rgb_to_bgr(image)
        rect = init_rect(info['init_bbox'], frame.shape)
        ok = self._tracker.init(frame, tuple(float(v) for v in rect) if self._legacy else rect)
        if ok is False:  # the legacy API (and OpenCV 3/early 4) returns a success flag; newer ones None
            raise RuntimeError('OpenCV {} failed to initialise on box {}'.format(self.tracker_type, list(rect)))
        self.box = [float(v) for v in rect]
        self.num_failures = 0
        return {'time': time.perf_counter() - tic}

    def track(self, image, info: dict = None) -> dict:
        ok, box = self._tracker.update(rgb_to_bgr(image))
        box = [float(v) for v in box] if box is not None else None
        if ok and box is not None and box[2] > 0 and box[3] > 0:
            self.box = box
        else:
            # OpenCV lost the target: keep reporting the last successful box (see the module docstring).
            self.num_failures += 1
        return {'target_bbox': list(self.box)}
