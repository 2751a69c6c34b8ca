from .opencv_tracker import OpenCVTracker


def get_tracker_class():
    return OpenCVTracker
