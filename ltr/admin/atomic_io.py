"""Atomic file writes: write a temporary file beside the target, then rename it over the target.

A run killed mid-write therefore leaves either the old file or the new one, never a truncated file
(pytracking writes checkpoints and result files in place).
"""
import contextlib
import os
import tempfile

import numpy as np
import torch


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_open(path, mode='w', **kwargs):
    """Open a temporary file for writing; on success it is fsync'ed and renamed to `path`."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def atomic_torch_save(obj, path):
    """`torch.save` that never leaves a half-written checkpoint behind."""
    with atomic_open(path, 'wb') as f:
        torch.save(obj, f)


def atomic_write_text(path, text):
    with atomic_open(path, 'w') as f:
        f.write(text)


def atomic_savetxt(path, array, **kwargs):
    """`np.savetxt` with the same guarantee (used for tracking result files)."""
    with atomic_open(path, 'wb') as f:
        np.savetxt(f, array, **kwargs)
