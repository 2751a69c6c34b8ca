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


def run_cli(function, *args, debug=0, **kwargs):
    """Call `function(*args, **kwargs)` for an entry script: on an error print one line `Error: ...` on stderr
    and exit with status 1; with `--debug` above 0 the error is raised with its traceback instead. Returns the
    function's result. Ctrl-C (KeyboardInterrupt) is left alone."""
    import sys
    try:
        return function(*args, **kwargs)
    except Exception as e:
        if debug:
            raise
        message = ' '.join(str(e).split()) or type(e).__name__
        if not isinstance(e, (ValueError, RuntimeError, OSError, LookupError, ImportError)):
            message = '{}: {}'.format(type(e).__name__, message)
        print('Error: {} (run with --debug 1 for the traceback)'.format(message), file=sys.stderr)
        sys.exit(1)
