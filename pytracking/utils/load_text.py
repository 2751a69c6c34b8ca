"""Read numeric text files (ground truth, result boxes) with numpy or pandas.

`delimiter` may be a tuple: each delimiter is tried in order and the first one that parses wins
(OTB mixes ',' , tab and whitespace files). `None` means "any whitespace" (numpy convention).
"""
import numpy as np


def load_text_numpy(path, delimiter, dtype):
    if isinstance(delimiter, (tuple, list)):
        errors = []
        for d in delimiter:
            try:
                return np.loadtxt(path, delimiter=d, dtype=dtype, ndmin=2)
            except ValueError as e:
                errors.append('{!r}: {}'.format(d, e))
        raise ValueError('Could not read file {} with any of the delimiters {}:\n  {}'.format(
            path, delimiter, '\n  '.join(errors)))
    return np.loadtxt(path, delimiter=delimiter, dtype=dtype, ndmin=2)


def load_text_pandas(path, delimiter, dtype):
    import pandas as pd
    if isinstance(delimiter, (tuple, list)):
        errors = []
        for d in delimiter:
            try:
                return load_text_pandas(path, d, dtype)
            except ValueError as e:
                errors.append('{!r}: {}'.format(d, e))
        raise ValueError('Could not read file {} with any of the delimiters {}:\n  {}'.format(
            path, delimiter, '\n  '.join(errors)))
    sep = r'\s+' if delimiter is None else delimiter
    frame = pd.read_csv(path, delimiter=sep, header=None, dtype=dtype, na_filter=True, low_memory=False,
                        engine='python' if delimiter is None else 'c')
    values = frame.values
    # pandas silently accepts a wrong delimiter and returns a single string-ish column; numpy-style
    # failure makes the tuple-of-delimiters fallback work the same way for both backends.
    if values.ndim != 2:
        raise ValueError('{}: not a 2-D table'.format(path))
    return values


def load_text(path, delimiter=' ', dtype=np.float32, backend='numpy'):
    """Load a 2-D numeric table from `path` (rows = frames). Returns an array of shape [rows, cols]."""
    if backend == 'numpy':
        return load_text_numpy(path, delimiter, dtype)
    elif backend == 'pandas':
        return load_text_pandas(path, delimiter, dtype)
    raise ValueError("load_text: unknown backend {!r} (use 'numpy' or 'pandas')".format(backend))
