"""Where ltr finds its workspace and datasets: `ltr/admin/local.py`, overridable by environment variables.

Faithful to pytracking (`create_default_local_file`, `env_settings`, `EnvironmentSettings` attributes), with
three fixes:
  * an existing `local.py` is never overwritten (pytracking rewrites it after *any* import error);
  * a broken `local.py` raises an error naming the file and the cause; a missing one is created with
    defaults (and we say so) and the defaults are used;
  * every attribute can be overridden by an environment variable `LTR_<ATTRIBUTE_IN_CAPITALS>`, e.g.
    `LTR_WORKSPACE_DIR`, `LTR_GOT10K_DIR`, `LTR_DEMO_DIR`, so tests and CI need no `local.py`.
"""
import importlib
import importlib.util
import os
import sys

LOCAL_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'local.py')
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENV_PREFIX = 'LTR_'

# Dataset attributes in pytracking's order; all default to ''.
DATASET_ATTRIBUTES = ('pregenerated_masks', 'lasot_dir', 'got10k_dir', 'trackingnet_dir', 'coco_dir', 'lvis_dir',
                      'sbd_dir', 'imagenet_dir', 'imagenetdet_dir', 'ecssd_dir', 'hkuis_dir', 'msra10k_dir',
                      'davis_dir', 'youtubevos_dir', 'lasot_candidate_matching_dataset_path')


def _default_values(workspace_dir=''):
    """Attribute -> default value, in the order pytracking's local.py lists them."""
    values = {'workspace_dir': workspace_dir,
              'tensorboard_dir': workspace_dir + '/tensorboard/',
              'pretrained_networks': workspace_dir + '/pretrained_networks/'}
    values.update({name: '' for name in DATASET_ATTRIBUTES})
    # Ours (not in pytracking): root of the embedded demo data written by `python -m ltr.dataset.demo_data`.
    values['demo_dir'] = os.path.join(REPO_ROOT, 'data', 'demo')
    return values


class EnvironmentSettings:
    """pytracking's defaults; `local.py` defines its own `EnvironmentSettings` with the user's paths."""

    def __init__(self):
        for name, value in _default_values().items():
            setattr(self, name, value)


def _local_file_text():
    workspace = os.path.join(REPO_ROOT, 'workspace')
    lines = ['class EnvironmentSettings:',
             '    def __init__(self):',
             f"        self.workspace_dir = {workspace!r}    # Base directory for saving network checkpoints.",
             "        self.tensorboard_dir = self.workspace_dir + '/tensorboard/'    # Directory for tensorboard files.",
             "        self.pretrained_networks = self.workspace_dir + '/pretrained_networks/'"]
    lines += [f"        self.{name} = ''" for name in DATASET_ATTRIBUTES]
    lines.append(f"        self.demo_dir = {_default_values()['demo_dir']!r}    # embedded demo data")
    return '\n'.join(lines) + '\n'


def create_default_local_file():
    """Write `ltr/admin/local.py` with default paths, unless it exists already (it is never overwritten)."""
    return _create_local_file(LOCAL_FILE, _local_file_text)


def _create_local_file(path, make_text):
    if os.path.exists(path):
        return False
    from ltr.admin.atomic_io import atomic_write_text
    atomic_write_text(path, make_text())
    return True


def _apply_env_overrides(settings, prefix):
    """Environment variables `<prefix><ATTR>` override the attributes of `settings`.
    For ltr, a new workspace also moves the two directories pytracking derives from it, unless they were set
    explicitly."""
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


def _import_file(module_name, path):
    """Import `path` as `module_name` (re-read if the file changed), so pickles naming it still resolve."""
    module = sys.modules.get(module_name)
    mtime = os.path.getmtime(path)
    if module is not None and getattr(module, '__file__', None) == path and getattr(module, '_mtime', None) == mtime:
        return module
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module._mtime = mtime
    sys.modules[module_name] = module
    return module


_announced = set()


def _say_once(message):
    if message not in _announced:
        _announced.add(message)
        print(message, file=sys.stderr)


def load_local_settings(local_file, module_name, read_settings, default_settings, make_text, prefix):
    """The shared logic of ltr's and pytracking's `env_settings()`.

    Creates `local_file` from `make_text()` if missing (never overwriting), imports it as `module_name`, reads the
    settings with `read_settings(module)`, gives attributes missing from an older file their default from
    `default_settings()`, then applies the `<prefix><ATTR>` environment variables.
    """
    defaults = default_settings()
    if not os.path.exists(local_file):
        try:
            _create_local_file(local_file, make_text)
            _say_once(f'Created {local_file} with default settings. Edit it (or set {prefix}* environment '
                      f'variables, see INSTALL.md) to point at your workspace, networks and datasets.')
        except OSError as e:  # e.g. a read-only site-packages install
            _say_once(f'Could not create {local_file} ({e}); using defaults and {prefix}* environment variables.')
            return _apply_env_overrides(defaults, prefix)
    try:
        settings = read_settings(_import_file(module_name, local_file))
    except Exception as e:
        raise RuntimeError(f'{local_file} is broken ({type(e).__name__}: {e}). Fix that file, or delete it to '
                           f'get a fresh one with default settings.') from e
    for name, value in vars(defaults).items():
        if not hasattr(settings, name):
            setattr(settings, name, value)
    return _apply_env_overrides(settings, prefix)


def env_settings():
    """Return the `EnvironmentSettings` of `ltr/admin/local.py`, with `LTR_*` environment overrides applied."""
    return load_local_settings(LOCAL_FILE, 'ltr.admin.local', lambda local: local.EnvironmentSettings(),
                               EnvironmentSettings, _local_file_text, ENV_PREFIX)


def missing_settings(settings, names):
    """Names among `names` whose value is empty: used to stop with a clear message before a long run."""
    return [n for n in names if not getattr(settings, n, '')]


if __name__ == '__main__':
    created = create_default_local_file()
    print(('Created ' if created else 'Kept existing ') + LOCAL_FILE)
