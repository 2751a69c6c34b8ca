"""Argument parsing helpers for the entry scripts."""
import argparse


def str2bool(value):
    """Parse 'true/false/1/0/yes/no/on/off' (argparse's type=bool treats every non-empty string as True)."""
    if isinstance(value, bool):
        return value
    v = str(value).strip().lower()
    if v in ('true', '1', 'yes', 'y', 'on'):
        return True
    if v in ('false', '0', 'no', 'n', 'off'):
        return False
    raise argparse.ArgumentTypeError('expected a boolean (true/false), got {!r}'.format(value))
