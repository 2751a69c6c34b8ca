"""Loads the compiled extension `ltr._C` (built by setup.py) if it is there; never compiles anything.

`has_ops()` says whether the PrRoIPool op is registered (as torchvision's `_has_ops`); `has_kernel(device_type)`
whether it has a kernel for that device (a CPU-only build has none for CUDA).
"""
import importlib

import torch

_C = None
_load_error = None
try:
    _C = importlib.import_module('ltr._C')
except (ImportError, OSError) as e:     # not built, or built against another torch: use the fallback
    _load_error = e

if _C is not None:
    if hasattr(torch.library, 'register_fake') and hasattr(torch.library, 'register_autograd'):
        from ltr.ops import _registrations  # noqa: F401  (fake kernel + autograd, needs the op schema)
    else:  # torch < 2.4: the op would have no autograd; use the fallback instead
        _C, _load_error = None, RuntimeError(f'torch {torch.__version__} lacks torch.library.register_autograd '
                                             '(needs torch >= 2.4)')


def has_ops():
    return _C is not None


def load_error():
    """Why `ltr._C` did not load (None when it did)."""
    return _load_error


def has_kernel(device_type):
    if _C is None:
        return False
    key = {'cpu': 'CPU', 'cuda': 'CUDA'}.get(device_type)
    return key is not None and torch._C._dispatch_has_kernel_for_dispatch_key('ltr::prroi_pool2d', key)
