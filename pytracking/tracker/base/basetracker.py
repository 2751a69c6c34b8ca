"""Base class of all trackers: holds the parameters and defines the initialize/track interface."""


class BaseTracker:
    """Base class for all trackers."""

    def __init__(self, params):
        self.params = params
        self.visdom = None

    def predicts_segmentation_mask(self):
        return False

    def initialize(self, image, info: dict) -> dict:
        """Start tracking in the first frame; `info['init_bbox']` is [x, y, w, h]."""
        raise NotImplementedError

    def track(self, image, info: dict = None) -> dict:
        """Track in a new frame; returns at least {'target_bbox': [x, y, w, h]}."""
        raise NotImplementedError

    def visdom_draw_tracking(self, image, box, segmentation=None):
        """Send the frame and box(es) to visdom (if a visdom client was attached)."""
        if self.visdom is None:
            return
        if isinstance(box, dict):
            box = [v for k, v in box.items()]
        else:
            box = (box,)
        if segmentation is None:
            self.visdom.register((image, *box), 'Tracking', 1, 'Tracking')
        else:
            self.visdom.register((image, *box, segmentation), 'Tracking', 1, 'Tracking')
