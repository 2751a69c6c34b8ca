"""Where ltr finds its workspace and datasets: the module `ltr.admin.local`, overridable by environment variables.

Faithful to pytracking (`create_default_local_file`, `env_settings`, `EnvironmentSettings` attributes): as in
pytracking, a `ltr.admin.local` module the user provides (registered in `sys.modules` or found by `importlib`)
is honoured; otherwise the file `ltr/admin/local.py` beside this one is read (see `ltr.admin.local_loader` for the
order). Three fixes:
  * an existing `local.py` is never overwritten (pytracking rewrites it after *any* import error);
  * a broken `local.py` raises an error naming the file and the cause; a missing one is created with
    defaults (and we say so) and the defaults are used;
  * every attribute can be overridden by an environment variable `LTR_<ATTRIBUTE_IN_CAPITALS>`, e.g.
    `LTR_WORKSPACE_DIR`, `LTR_GOT10K_DIR`, `LTR_DEMO_DIR`, so tests and CI need no `local.py`.
"""
import os

from ltr.admin.local_loader import create_local_file, load_local_settings

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
             "        self.tensorboard_dir = self.workspace_dir + '/tensorboard/'"
             "    # Directory for tensorboard files.",
             "        self.pretrained_networks = self.workspace_dir + '/pretrained_networks/'"]
    lines += [f"        self.{name} = ''" for name in DATASET_ATTRIBUTES]
    lines.append(f"        self.demo_dir = {_default_values()['demo_dir']!r}    # embedded demo data")
    return '\n'.join(lines) + '\n'


def create_default_local_file():
    """Write `ltr/admin/local.py` with default paths, unless it exists already (it is never overwritten)."""
    return create_local_file(LOCAL_FILE, _local_file_text)


def env_settings():
    """Return the `EnvironmentSettings` of `ltr.admin.local` (a user-provided module, else `ltr/admin/local.py`),
    with `LTR_*` environment overrides applied."""
    return load_local_settings(LOCAL_FILE, 'ltr.admin.local', lambda local: local.EnvironmentSettings(),
                               EnvironmentSettings, _local_file_text, ENV_PREFIX)


def missing_settings(settings, names):
    """Names among `names` whose value is empty: used to stop with a clear message before a long run."""
    return [n for n in names if not getattr(settings, n, '')]


if __name__ == '__main__':
    created = create_default_local_file()
    print(('Created ' if created else 'Kept existing ') + LOCAL_FILE)
