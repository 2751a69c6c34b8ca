"""pytracking's `prroi_pool.functional` path; backed by `ltr.ops.prroi_pool`."""
from ltr.ops.prroi_pool import prroi_pool2d

__all__ = ['prroi_pool2d']
