"""A trivial tracker registered as `pytracking.tracker.faketrk` / `pytracking.parameter.faketrk.default`, so the
evaluation code can be tested without ATOM.

It returns the init box moved by (+0.7, +0.4) px per frame (non-integer, to check truncation when saving).
Behaviour switches (environment variables, so they also work in subprocesses):
- FAKE_TRACKER_FAIL_WIDTH=w: initialize() raises if the init box has width w;
- FAKE_TRACKER_EXIT_ON_INIT=k: the process dies (os._exit) on the k-th initialize() call;
"""
import os
import sys
import types

STEP = (0.7, 0.4)
calls = {'initialize': 0}
last_images = []


class FakeParams:
    def __init__(self):
        self.debug = 0
        self.visualization = False

    def get(self, name, *default):
        if hasattr(self, name):
            return getattr(self, name)
        if default:
            return default[0]
        raise AttributeError(name)


class FakeTracker:
    multiobj_mode = 'parallel'

    def __init__(self, params):
        self.params = params

    def initialize(self, image, info):
        calls['initialize'] += 1
        exit_on = os.environ.get('FAKE_TRACKER_EXIT_ON_INIT')
        if exit_on is not None and calls['initialize'] == int(exit_on):
            os._exit(17)  # simulates the process being killed
        fail_w = os.environ.get('FAKE_TRACKER_FAIL_WIDTH')
        if fail_w is not None and float(info['init_bbox'][2]) == float(fail_w):
            raise RuntimeError('fake tracker failure on purpose')
        last_images.append(image)
        self.box = [float(v) for v in info['init_bbox']]
        return {}

    def track(self, image, info=None):
        last_images.append(image)
        self.box = [self.box[0] + STEP[0], self.box[1] + STEP[1], self.box[2], self.box[3]]
        return {'target_bbox': list(self.box)}


def get_tracker_class():
    return FakeTracker


def parameters():
    return FakeParams()


def register():
    """Insert the fake tracker and parameter modules into sys.modules."""
    # The parent packages first: the modules registered below are their children.
    import pytracking.parameter  # noqa: F401
    import pytracking.tracker  # noqa: F401
    trk = types.ModuleType('pytracking.tracker.faketrk')
    trk.get_tracker_class = get_tracker_class
    par_pkg = types.ModuleType('pytracking.parameter.faketrk')
    par_pkg.__path__ = []
    par = types.ModuleType('pytracking.parameter.faketrk.default')
    par.parameters = parameters
    sys.modules['pytracking.tracker.faketrk'] = trk
    sys.modules['pytracking.parameter.faketrk'] = par_pkg
    sys.modules['pytracking.parameter.faketrk.default'] = par
