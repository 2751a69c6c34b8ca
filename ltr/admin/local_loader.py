"""Finding and reading the user's local settings: the machinery shared by `ltr.admin.environment` (for
`ltr.admin.local`) and `pytracking.evaluation.environment` (for `pytracking.evaluation.local`).

Where the settings come from, in order:

1. **An importable module** named `ltr.admin.local` / `pytracking.evaluation.local` that is *not* the file beside
   the package: one registered in `sys.modules` (e.g. by a notebook), or one that `importlib` finds elsewhere (a
   meta-path finder, an extra entry in the package's `__path__`). This is what pytracking's
   `importlib.import_module` honours, so a read-only install can be configured without writing into it.
2. **The file beside the package** (`ltr/admin/local.py`, `pytracking/evaluation/local.py`), created with defaults
   when missing (never overwritten) and re-read when it changes.
3. **The defaults**, when neither exists and the file cannot be written.

Then, whatever the source, the environment variables `<PREFIX><ATTRIBUTE_IN_CAPITALS>` (`LTR_*`, `PYTRACKING_*`)
override single attributes, and attributes missing from an older settings class get their defaults.
"""
import importlib
import importlib.util
import os
import sys

# Set on the modules this file imports from a path, so that a later call knows the module in sys.modules is ours
# (a file it may re-read or replace) and not one the user provided.
_MARKER = '__local_settings_file__'

_announced = set()


def say_once(message):
    """Print `message` to stderr once per process."""
    if message not in _announced:
        _announced.add(message)
        print(message, file=sys.stderr)


def create_local_file(path, make_text):
    """Write `make_text()` to `path` atomically, unless `path` exists (it is never overwritten).

    returns:
        True if the file was written, False if it existed already.
    """
    if os.path.exists(path):
        return False
    from ltr.admin.atomic_io import atomic_write_text
    atomic_write_text(path, make_text())
    return True


def apply_env_overrides(settings, prefix):
    """Environment variables `<prefix><ATTR>` override the attributes of `settings`.

    A new `workspace_dir` also moves the two directories pytracking derives from it (`tensorboard_dir`,
    `pretrained_networks`), unless they were set explicitly.
    """
    old_ws = getattr(settings, 'workspace_dir', None)
    for name in vars(settings):
        value = os.environ.get(prefix + name.upper())
        if value is not None:
            setattr(settings, name, value)
    new_ws = getattr(settings, 'workspace_dir', None)
    if old_ws is not None and new_ws != old_ws:
        for name, sub in (('tensorboard_dir', '/tensorboard/'), ('pretrained_networks', '/pretrained_networks/')):
            if os.environ.get(prefix + name.upper()) is None and getattr(settings, name, None) == old_ws + sub:
                setattr(settings, name, new_ws + sub)
    return settings


def _same_path(a, b):
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _is_beside_package(path, module_name, local_file):
    """Whether `path` is the settings file we manage: `local_file`, or a file in the parent package's own folder
    (the default location, also when tests point `local_file` elsewhere)."""
    if not path:
        return False
    if _same_path(path, local_file):
        return True
    parent = sys.modules.get(module_name.rpartition('.')[0])
    parent_file = getattr(parent, '__file__', None)
    return bool(parent_file) and _same_path(os.path.dirname(path), os.path.dirname(parent_file))


def find_user_module(module_name, local_file):
    """The module `module_name` if the user provides one other than the file beside the package, else None.

    A module in `sys.modules` counts unless this loader imported it from a file or it lives beside the package;
    otherwise `importlib.util.find_spec` decides (its origin must not be beside the package), and the module is
    imported with `importlib.import_module`, as pytracking does. An import that fails raises RuntimeError naming
    the module.
    """
    module = sys.modules.get(module_name)
    if module is not None:
        if getattr(module, _MARKER, None) is not None or \
                _is_beside_package(getattr(module, '__file__', None), module_name, local_file):
            return None
        return module
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        return None
    if spec is None or _is_beside_package(spec.origin, module_name, local_file):
        return None
    try:
        return importlib.import_module(module_name)
    except Exception as e:
        raise RuntimeError(f'{module_name} ({spec.origin}) failed to import ({type(e).__name__}: {e}). Fix that '
                           f'module, or remove it to use {local_file} instead.') from e


def import_file(module_name, path):
    """Import `path` as `module_name` (re-read if the file changed), so pickles naming it still resolve."""
    module = sys.modules.get(module_name)
    mtime = os.path.getmtime(path)
    if module is not None and getattr(module, _MARKER, None) == path and getattr(module, '_mtime', None) == mtime:
        return module
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module._mtime = mtime
    setattr(module, _MARKER, path)
    sys.modules[module_name] = module
    return module


def load_local_settings(local_file, module_name, read_settings, default_settings, make_text, prefix):
    """The shared logic of ltr's and pytracking's `env_settings()` (see the module docstring for the order).

    args:
        local_file - the settings file beside the package (created from `make_text()` if missing and no user
            module exists).
        module_name - 'ltr.admin.local' or 'pytracking.evaluation.local'.
        read_settings - module -> settings object (e.g. `lambda m: m.EnvironmentSettings()`).
        default_settings - () -> settings object with every attribute at its default.
        make_text - () -> text of a default `local_file`.
        prefix - environment-variable prefix, 'LTR_' or 'PYTRACKING_'.
    returns:
        the settings object, with missing attributes defaulted and the environment overrides applied.
    """
    defaults = default_settings()
    module = find_user_module(module_name, local_file)
    if module is not None:
        source = f"{module_name} ({getattr(module, '__file__', None) or 'registered in sys.modules'})"
        advice = f'Fix that module, or remove it to use {local_file} instead.'
    else:
        if not os.path.exists(local_file):
            try:
                create_local_file(local_file, make_text)
                say_once(f'Created {local_file} with default settings. Edit it (or set {prefix}* environment '
                         f'variables, see INSTALL.md) to point at your workspace, networks and datasets.')
            except OSError as e:  # e.g. a read-only site-packages install
                say_once(f'Could not create {local_file} ({e}); using defaults and {prefix}* environment variables.')
                return apply_env_overrides(defaults, prefix)
        source = local_file
        advice = 'Fix that file, or delete it to get a fresh one with default settings.'
    try:
        if module is None:
            module = import_file(module_name, local_file)
        settings = read_settings(module)
    except Exception as e:
        raise RuntimeError(f'{source} is broken ({type(e).__name__}: {e}). {advice}') from e
    for name, value in vars(defaults).items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
    return apply_env_overrides(settings, prefix)
