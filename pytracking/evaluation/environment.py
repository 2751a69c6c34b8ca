"""Where pytracking finds networks, results and benchmark datasets: the module `pytracking.evaluation.local`,
overridable by environment variables.

Faithful to pytracking (`EnvSettings`, `create_default_local_file`, `env_settings`): a
`pytracking.evaluation.local` module the user provides (registered in `sys.modules` or found by `importlib`) is
honoured, else the file `pytracking/evaluation/local.py` is read (order: `ltr.admin.local_loader`). The same
fixes as `ltr.admin.environment`: `local.py` is never overwritten, a broken one raises an error naming it, a
missing one is created with defaults, and every attribute can be overridden by `PYTRACKING_<ATTRIBUTE_IN_CAPITALS>`
(e.g. `PYTRACKING_RESULTS_PATH`, `PYTRACKING_NETWORK_PATH`, `PYTRACKING_OTB_PATH`, `PYTRACKING_DEMO_PATH`).
"""
import os

from ltr.admin.local_loader import create_local_file, load_local_settings

PYTRACKING_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_ROOT = os.path.dirname(PYTRACKING_DIR)
LOCAL_FILE = os.path.join(PYTRACKING_DIR, 'evaluation', 'local.py')
ENV_PREFIX = 'PYTRACKING_'

DATASET_ATTRIBUTES = ('otb_path', 'nfs_path', 'uav_path', 'tpl_path', 'vot_path', 'got10k_path', 'lasot_path',
                      'lasot_extension_subset_path', 'trackingnet_path', 'oxuva_path', 'davis_dir', 'youtubevos_dir',
                      'got_packed_results_path', 'got_reports_path', 'tn_packed_results_path')


class EnvSettings:
    def __init__(self):
        self.results_path = os.path.join(PYTRACKING_DIR, 'tracking_results') + '/'
        self.segmentation_path = os.path.join(PYTRACKING_DIR, 'segmentation_results') + '/'
        self.network_path = os.path.join(PYTRACKING_DIR, 'networks') + '/'
        self.result_plot_path = os.path.join(PYTRACKING_DIR, 'result_plots') + '/'
        for name in DATASET_ATTRIBUTES:
            setattr(self, name, '')
        # Ours: root of the embedded demo data (`python -m ltr.dataset.demo_data`); the `demo` dataset reads
        # `{demo_path}/otb`.
        self.demo_path = os.path.join(REPO_ROOT, 'data', 'demo')
        # Read by some dataset modes in pytracking but missing from its defaults (AttributeError there).
        self.lasot_mask_path = ''
        self.got10k_mask_path = ''
        self.trackingnet_mask_path = ''
        self.dataspec_path = ''


_COMMENTS = {'network_path': 'Where tracking networks are stored.',
             'results_path': 'Where to store tracking results.'}


def _local_file_text():
    defaults = EnvSettings()
    lines = ['from pytracking.evaluation.environment import EnvSettings', '', '',
             'def local_env_settings():', '    settings = EnvSettings()', '',
             '    # Set your local paths here.', '']
    for name in sorted(vars(defaults)):
        comment = f'    # {_COMMENTS[name]}' if name in _COMMENTS else ''
        lines.append(f'    settings.{name} = {getattr(defaults, name)!r}{comment}')
    lines += ['', '    return settings']
    return '\n'.join(lines) + '\n'


def create_default_local_file():
    """Write `pytracking/evaluation/local.py` with default paths, unless it exists (never overwritten)."""
    return create_local_file(LOCAL_FILE, _local_file_text)


def env_settings():
    """`local_env_settings()` of `pytracking.evaluation.local` (a user-provided module, else
    `pytracking/evaluation/local.py`), with `PYTRACKING_*` overrides applied."""
    return load_local_settings(LOCAL_FILE, 'pytracking.evaluation.local', lambda local: local.local_env_settings(),
                               EnvSettings, _local_file_text, ENV_PREFIX)
