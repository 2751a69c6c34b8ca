"""TensorList: a list of tensors that behaves like one tensor, element by element.

Arithmetic (``+ - * / @ %``, their reflected and in-place forms, unary ``+``/``-``, ``<=``/``>=``) is applied
per element, with either another list of the same length or a single operand (scalar or tensor) broadcast
to every element. Any ``torch.Tensor`` method can be called on the list and is called on every element
(``tl.view(-1)``, ``tl.sqrt()``, ``tl.requires_grad_(True)``). Lists may be nested.

Differences from pytracking, both fixes of things that only broke:
- Dunder / torch-protocol names (``__torch_function__``, ``__array__``, ...) are NOT forwarded. Forwarding
  them made ``torch.autograd.grad`` treat a TensorList as a tensor-like and fail with torch >= 2.
- Tensor *properties* (``shape``, ``grad``, ``requires_grad``, ``device``, ...) return a TensorList of the
  element values; pytracking returned an (always truthy) function for them.
"""

import copy
import functools

import torch


def _is_list(a):
    return isinstance(a, (TensorList, list))


def _is_dunder(name):
    return name.startswith('__') and name.endswith('__')


class TensorList(list):
    """A list of tensors (or nested TensorLists) with element-wise tensor semantics."""

    def __init__(self, list_of_tensors=None):
        if list_of_tensors is None:
            list_of_tensors = list()
        super().__init__(list_of_tensors)

    def __deepcopy__(self, memo):
        return TensorList(copy.deepcopy(list(self), memo))

    def __getitem__(self, item):
        # Integer-like indices (int, numpy ints, 0-d integer tensors) return the element itself.
        if isinstance(item, int) or (not isinstance(item, (slice, list, tuple)) and hasattr(item, '__index__')):
            return super().__getitem__(item.__index__())
        if isinstance(item, (tuple, list)):
            return TensorList([super(TensorList, self).__getitem__(i) for i in item])
        return TensorList(super().__getitem__(item))

    # ---- element-wise binary operations -------------------------------------------------------------
    def _binary(self, other, fn):
        if _is_list(other):
            if len(other) != len(self):
                raise ValueError('TensorList operation: length mismatch ({} vs {})'.format(len(self), len(other)))
            return TensorList([fn(a, b) for a, b in zip(self, other)])
        return TensorList([fn(a, other) for a in self])

    def _inplace(self, other, fn):
        if _is_list(other):
            if len(other) != len(self):
                raise ValueError('TensorList operation: length mismatch ({} vs {})'.format(len(self), len(other)))
            for i, b in enumerate(other):
                self[i] = fn(self[i], b)
        else:
            for i in range(len(self)):
                self[i] = fn(self[i], other)
        return self

    def __add__(self, other):
        return self._binary(other, lambda a, b: a + b)

    def __radd__(self, other):
        return self._binary(other, lambda a, b: b + a)

    def __iadd__(self, other):
        def op(a, b):
            a += b
            return a
        return self._inplace(other, op)

    def __sub__(self, other):
        return self._binary(other, lambda a, b: a - b)

    def __rsub__(self, other):
        return self._binary(other, lambda a, b: b - a)

    def __isub__(self, other):
        def op(a, b):
            a -= b
            return a
        return self._inplace(other, op)

    def __mul__(self, other):
        return self._binary(other, lambda a, b: a * b)

    def __rmul__(self, other):
        return self._binary(other, lambda a, b: b * a)

    def __imul__(self, other):
        def op(a, b):
            a *= b
            return a
        return self._inplace(other, op)

    def __truediv__(self, other):
        return self._binary(other, lambda a, b: a / b)

    def __rtruediv__(self, other):
        return self._binary(other, lambda a, b: b / a)

    def __itruediv__(self, other):
        def op(a, b):
            a /= b
            return a
        return self._inplace(other, op)

    def __matmul__(self, other):
        return self._binary(other, lambda a, b: a @ b)

    def __rmatmul__(self, other):
        return self._binary(other, lambda a, b: b @ a)

    def __imatmul__(self, other):
        def op(a, b):
            a @= b
            return a
        return self._inplace(other, op)

    def __mod__(self, other):
        return self._binary(other, lambda a, b: a % b)

    def __rmod__(self, other):
        return self._binary(other, lambda a, b: b % a)

    def __imod__(self, other):
        def op(a, b):
            a %= b
            return a
        return self._inplace(other, op)

    def __pos__(self):
        return TensorList([+e for e in self])

    def __neg__(self):
        return TensorList([-e for e in self])

    def __le__(self, other):
        return self._binary(other, lambda a, b: a <= b)

    def __ge__(self, other):
        return self._binary(other, lambda a, b: a >= b)

    # ---- list helpers -------------------------------------------------------------------------------
    def concat(self, other):
        """List concatenation (the tensors are not copied). ``+`` is element-wise addition instead."""
        return TensorList(super().__add__(other))

    def copy(self):
        """Shallow copy: a new list holding the same tensors."""
        return TensorList(super().copy())

    def unroll(self):
        """Flatten nested TensorLists into one flat TensorList."""
        if not any(isinstance(t, TensorList) for t in self):
            return self
        flat = TensorList()
        for t in self:
            if isinstance(t, TensorList):
                flat.extend(t.unroll())
            else:
                flat.append(t)
        return flat

    def list(self):
        """A plain Python list of the elements."""
        return list(self)

    def attribute(self, attr: str, *args):
        """TensorList of ``getattr(element, attr, *default)``."""
        return TensorList([getattr(e, attr, *args) for e in self])

    def apply(self, fn):
        """TensorList of ``fn(element)``."""
        return TensorList([fn(e) for e in self])

    # ---- forwarding of torch.Tensor methods ---------------------------------------------------------
    def __getattr__(self, name):
        # Never forward protocol names: torch checks e.g. hasattr(x, '__torch_function__') to decide
        # whether x is tensor-like, and copy/pickle probe dunders too.
        if _is_dunder(name) or not hasattr(torch.Tensor, name):
            raise AttributeError("'TensorList' object has no attribute '{}'".format(name))

        if not callable(getattr(torch.Tensor, name)):
            # A property such as shape / grad / requires_grad: return the per-element values.
            return TensorList([getattr(e, name) for e in self])

        def apply_attr(*args, **kwargs):
            return TensorList([getattr(e, name)(*args, **kwargs) for e in self])

        return apply_attr


def tensor_operation(op):
    """Decorator: lift a function of tensors to TensorLists.

    If the first and/or second positional argument is a TensorList, ``op`` is called once per element
    (zipping the two when both are lists; other arguments are passed unchanged) and a TensorList is
    returned. Otherwise ``op`` is called directly.
    """

    @functools.wraps(op)
    def oplist(*args, **kwargs):
        if len(args) == 0:
            raise ValueError('{}: needs at least one positional (operand) argument'.format(op.__name__))

        if isinstance(args[0], TensorList):
            if len(args) > 1 and isinstance(args[1], TensorList):
                if len(args[0]) != len(args[1]):
                    raise ValueError('{}: TensorList operands have different lengths ({} vs {})'.format(
                        op.__name__, len(args[0]), len(args[1])))
                return TensorList([op(a, b, *args[2:], **kwargs) for a, b in zip(args[0], args[1])])
            return TensorList([op(a, *args[1:], **kwargs) for a in args[0]])

        if len(args) > 1 and isinstance(args[1], TensorList):
            return TensorList([op(args[0], b, *args[2:], **kwargs) for b in args[1]])

        return op(*args, **kwargs)

    return oplist
