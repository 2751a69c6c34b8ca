"""Reading dataset roots and annotation files, with errors that name the file, the line and what is wrong.

pytracking reads these files with pandas/csv and fails with bare parser errors or, worse, silently produces NaN
boxes. Every reader here validates what it reads.
"""
import math
import os

import numpy as np
import torch


class AnnotationError(ValueError):
    """A malformed annotation file; the message names the file and the line."""


def resolve_root(root, env_attr, dataset_name):
    """`root` if given, else `ltr.admin.environment.env_settings().<env_attr>` (pytracking's behaviour).
    Raises a clear error when the setting is empty or the folder does not exist."""
    from_env = root is None
    if from_env:
        from ltr.admin.environment import env_settings
        root = getattr(env_settings(), env_attr, '')
    if root is None or str(root) == '':
        raise ValueError('{} root not set: set {} in ltr/admin/local.py or the environment variable LTR_{}, '
                         'or pass root=...'.format(dataset_name, env_attr, env_attr.upper()))
    root = os.fspath(root)
    if not os.path.isdir(root):
        origin = ' (from {} / LTR_{})'.format(env_attr, env_attr.upper()) if from_env else ''
        raise FileNotFoundError('{} root {!r}{} does not exist or is not a folder'.format(dataset_name, root, origin))
    return root


def _read_lines(path, what):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        raise FileNotFoundError('Missing {} file: {}'.format(what, path)) from None


def _parse_number(token, path, line_no):
    token = token.strip()
    try:
        value = float(token)
    except ValueError:
        raise AnnotationError("{}, line {}: {!r} is not a number".format(path, line_no, token)) from None
    if not math.isfinite(value):
        raise AnnotationError('{}, line {}: value {!r} is not finite'.format(path, line_no, token))
    return value


def read_box_file(path, delimiter=','):
    """N x 4 float32 tensor from a file with one `x<d>y<d>w<d>h` box per line (blank lines are skipped, as
    pandas does for pytracking). `delimiter=None` accepts commas, tabs and spaces (OTB style).

    Well-formed files are read with pandas' C parser (LaSOT files have thousands of lines and are re-read for
    every training sample); anything pandas rejects or reads as non-finite is re-parsed line by line to name the
    offending line."""
    if delimiter is not None:
        boxes = _read_box_file_fast(path, delimiter)
        if boxes is not None:
            return boxes
    lines = _read_lines(path, 'bounding box annotation')
    boxes = []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if delimiter is None:
            parts = line.replace(',', ' ').replace('\t', ' ').split()
        else:
            parts = line.split(delimiter)
        if len(parts) != 4:
            raise AnnotationError('{}, line {}: expected 4 values (x{d}y{d}w{d}h), found {}: {!r}'.format(
                path, i, len(parts), line, d=delimiter or ' '))
        boxes.append([_parse_number(p, path, i) for p in parts])
    if not boxes:
        raise AnnotationError('{}: annotation file is empty'.format(path))
    return torch.tensor(boxes, dtype=torch.float32)


def _read_box_file_fast(path, delimiter):
    """pandas read of a clean file, or None when the careful parser must look at it."""
    try:
        import pandas
        values = pandas.read_csv(path, header=None, sep=delimiter, dtype=np.float32, na_filter=False,
                                 low_memory=False, engine='c').values
    except Exception:  # any parse problem: the line-by-line reader reports it precisely
        return None
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] != 4 or not np.isfinite(values).all():
        return None
    return torch.from_numpy(np.ascontiguousarray(values))


def read_label_column(path, num_frames=None, allowed=None):
    """Tensor (int64) of one integer per line (GOT-10k's absence.label / cover.label)."""
    lines = _read_lines(path, 'label')
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise AnnotationError('{}: label file is empty'.format(path))
    values = []
    for i, line in enumerate(lines, start=1):
        parts = line.split(',')
        if len(parts) != 1 or not parts[0].strip():
            raise AnnotationError('{}, line {}: expected one integer, found {!r}'.format(path, i, line))
        values.append(_parse_int(parts[0], path, i, allowed))
    _check_length(path, values, num_frames)
    return torch.tensor(values, dtype=torch.int64)


def read_flag_line(path, num_frames=None):
    """Tensor (int64) of the comma-separated 0/1 flags on the single line of a LaSOT full_occlusion.txt /
    out_of_view.txt."""
    lines = [line for line in _read_lines(path, 'flag') if line.strip()]
    if not lines:
        raise AnnotationError('{}: flag file is empty'.format(path))
    if len(lines) != 1:
        raise AnnotationError('{}: expected a single line of comma-separated 0/1 flags, found {} lines'
                              .format(path, len(lines)))
    values = [_parse_int(p, path, 1, (0, 1)) for p in lines[0].strip().rstrip(',').split(',')]
    _check_length(path, values, num_frames)
    return torch.tensor(values, dtype=torch.int64)


def _parse_int(token, path, line_no, allowed=None):
    token = token.strip()
    try:
        value = int(token)
    except ValueError:
        raise AnnotationError('{}, line {}: {!r} is not an integer'.format(path, line_no, token)) from None
    if allowed is not None and value not in allowed:
        raise AnnotationError('{}, line {}: value {} is out of range (allowed: {}..{})'.format(
            path, line_no, value, min(allowed), max(allowed)))
    return value


def _check_length(path, values, num_frames):
    if num_frames is not None and len(values) != num_frames:
        raise AnnotationError('{}: {} entries, but the box annotation has {} frames'.format(
            path, len(values), num_frames))


def read_name_list(path, what='sequence list'):
    """Non-empty stripped lines of a text file (first comma-separated column, like pytracking's csv read)."""
    return [line.split(',')[0].strip() for line in _read_lines(path, what) if line.strip()]
