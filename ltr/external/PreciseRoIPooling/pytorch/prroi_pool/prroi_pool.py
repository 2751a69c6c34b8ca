"""pytracking's `prroi_pool.prroi_pool` path (module class); backed by `ltr.ops.prroi_pool`."""
from ltr.ops.prroi_pool import PrRoIPool2D

__all__ = ['PrRoIPool2D']
