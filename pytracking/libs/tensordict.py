"""TensorDict: an OrderedDict of tensors on which tensor methods are applied per value.

``td.to(device)`` calls ``.to(device)`` on every value that has that method and passes the other values
(strings, ints, ...) through unchanged, so one dict can carry tensors and metadata.
Like TensorList, dunder / torch-protocol names are never forwarded, and Tensor properties
(``shape``, ``device``, ...) return a TensorDict of values instead of a function.
"""

import copy
from collections import OrderedDict

import torch


class TensorDict(OrderedDict):
    """An ordered dict of tensors with per-value tensor semantics."""

    def concat(self, other):
        """A new TensorDict with the entries of both (``other`` wins on equal keys)."""
        return TensorDict(list(self.items()) + list(other.items()))

    def copy(self):
        return TensorDict(super().copy())

    def __deepcopy__(self, memodict=None):
        return TensorDict(copy.deepcopy(list(self.items()), memodict))

    def __getattr__(self, name):
        if (name.startswith('__') and name.endswith('__')) or not hasattr(torch.Tensor, name):
            raise AttributeError("'TensorDict' object has no attribute '{}'".format(name))

        if not callable(getattr(torch.Tensor, name)):
            # Property (shape, device, ...): values of the elements that have it, others passed through.
            return TensorDict([(n, getattr(e, name) if hasattr(e, name) else e) for n, e in self.items()])

        def apply_attr(*args, **kwargs):
            return TensorDict([(n, getattr(e, name)(*args, **kwargs) if hasattr(e, name) else e)
                               for n, e in self.items()])

        return apply_attr

    def attribute(self, attr: str, *args):
        """TensorDict of ``getattr(value, attr, *default)``."""
        return TensorDict([(n, getattr(e, attr, *args)) for n, e in self.items()])

    def apply(self, fn, *args, **kwargs):
        """TensorDict of ``fn(value, *args, **kwargs)``."""
        return TensorDict([(n, fn(e, *args, **kwargs)) for n, e in self.items()])

    @staticmethod
    def _iterable(a):
        return isinstance(a, (TensorDict, list))
