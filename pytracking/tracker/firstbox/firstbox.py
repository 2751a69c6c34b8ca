"""The lower-bound baseline: report the initial box in every frame (the target is assumed not to move)."""
import time

from pytracking.tracker.base import BaseTracker


class FirstBox(BaseTracker):
    """Returns the init box unchanged in every frame. A tracker that does not beat it has not tracked."""

    def initialize(self, image, info: dict) -> dict:
        tic = time.perf_counter()
        self.box = [float(v) for v in info['init_bbox']]
        return {'time': time.perf_counter() - tic}

    def track(self, image, info: dict = None) -> dict:
        return {'target_bbox': list(self.box)}
