"""pytracking's import path for Precise RoI Pooling (a git submodule there); backed by `ltr.ops.prroi_pool`."""
from ltr.ops.prroi_pool import PrRoIPool2D, prroi_pool2d

__all__ = ['PrRoIPool2D', 'prroi_pool2d']
