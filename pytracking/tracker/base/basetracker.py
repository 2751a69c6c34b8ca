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
        draw_tracking_in_visdom(self.visdom, image, box, segmentation)


def draw_tracking_in_visdom(visdom, image, box, segmentation=None):
    """Register the frame with its box (or a dict of boxes per object) and optional mask in visdom's 'Tracking'
    window; nothing when `visdom` is None. Shared by BaseTracker and MultiObjectWrapper."""
    if visdom is None:
        return
    boxes = list(box.values()) if isinstance(box, dict) else [box]
    extra = [] if segmentation is None else [segmentation]
    visdom.register((image, *boxes, *extra), 'Tracking', 1, 'Tracking')
