"""The first-box baseline (pytracking/tracker/firstbox): no settings."""
from pytracking.utils import TrackerParams


def parameters():
    params = TrackerParams()
    params.debug = 0
    params.visualization = False
    return params
