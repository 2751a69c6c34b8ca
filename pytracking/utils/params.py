"""Parameter containers for trackers (pytracking's `TrackerParams` / `FeatureParams`)."""
import random

from pytracking.libs.tensorlist import TensorList


class TrackerParams:
    """A plain attribute bag: the parameter files set attributes, the tracker reads them with `get`."""

    def set_default_values(self, default_vals: dict):
        """Set every (name, value) of `default_vals` that is not set yet."""
        for name, val in default_vals.items():
            if not hasattr(self, name):
                setattr(self, name, val)

    def get(self, name: str, *default):
        """The value of `name`; with one extra argument, that value is returned when `name` is unset."""
        if len(default) > 1:
            raise ValueError('TrackerParams.get: give at most one default value, got {}'.format(len(default)))
        if not hasattr(self, name):
            if default:
                return default[0]
            raise AttributeError('Tracker parameter "{}" is not set and no default was given'.format(name))
        return getattr(self, name)

    def has(self, name: str):
        return hasattr(self, name)


class FeatureParams:
    """Per-feature parameters: keyword arguments become attributes, lists become TensorLists."""

    def __init__(self, *args, **kwargs):
        if len(args) > 0:
            raise ValueError('FeatureParams takes keyword arguments only, got {} positional'.format(len(args)))
        for name, val in kwargs.items():
            setattr(self, name, TensorList(val) if isinstance(val, list) else val)


def Choice(*args):
    """A random choice among the arguments (Python's `random`; not used by ATOM's default path)."""
    return random.choice(args)
