"""OpenCV's CSRT (discriminative correlation filter with channel and spatial reliability; opencv-contrib), with
OpenCV's default settings."""
from pytracking.utils import TrackerParams


def parameters():
    params = TrackerParams()
    params.tracker_type = 'csrt'
    # None: OpenCV uses as many threads as torch does in this process (what the evaluation set up); an int
    # calls cv2.setNumThreads with it.
    params.num_threads = None
    # Optional {name: value} set on cv2.TrackerCSRT.Params before creating the tracker (empty: defaults).
    params.opencv_params = {}
    params.debug = 0
    params.visualization = False
    return params
