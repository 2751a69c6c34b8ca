"""Frames and boxes sent to visdom by BaseTracker and MultiObjectWrapper (one shared helper)."""
from collections import OrderedDict

from pytracking.evaluation.multi_object_wrapper import MultiObjectWrapper
from pytracking.tracker.base.basetracker import BaseTracker


class _Recorder:
    def __init__(self):
        self.calls = []

    def register(self, data, mode, debug_level, title):
        self.calls.append((data, mode, debug_level, title))


def test_single_box_multi_object_boxes_and_mask_reach_visdom():
    tracker = BaseTracker.__new__(BaseTracker)
    tracker.visdom = _Recorder()
    tracker.visdom_draw_tracking('im', [1, 2, 3, 4])
    tracker.visdom_draw_tracking('im', [1, 2, 3, 4], 'mask')
    assert tracker.visdom.calls == [(('im', [1, 2, 3, 4]), 'Tracking', 1, 'Tracking'),
                                    (('im', [1, 2, 3, 4], 'mask'), 'Tracking', 1, 'Tracking')]

    wrapper = MultiObjectWrapper.__new__(MultiObjectWrapper)
    wrapper.visdom = _Recorder()
    wrapper.visdom_draw_tracking('im', OrderedDict([(1, 'a'), (2, 'b')]))
    assert wrapper.visdom.calls == [(('im', 'a', 'b'), 'Tracking', 1, 'Tracking')]

    tracker.visdom = None
    tracker.visdom_draw_tracking('im', [1, 2, 3, 4])   # no visdom: nothing to do, no error
