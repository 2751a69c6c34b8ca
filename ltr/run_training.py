"""Run a training setting: `python ltr/run_training.py <train_module> <train_name>`, e.g. `bbreg atom_demo`,
which calls `ltr.train_settings.<train_module>.<train_name>.run(settings)`."""
import os
import sys

# Runnable as a script from anywhere: put the repository root on the path before importing ltr.
_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

import argparse  # noqa: E402
import importlib  # noqa: E402
import multiprocessing  # noqa: E402
import random  # noqa: E402

import cv2 as cv  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.backends.cudnn  # noqa: E402

import ltr.admin.settings as ws_settings  # noqa: E402


def str2bool(value):
    """argparse type for booleans. pytracking used type=bool, for which any non-empty string (even 'False')
    is True, so `--cudnn_benchmark False` silently did nothing."""
    if isinstance(value, bool):
        return value
    v = value.strip().lower()
    if v in ('1', 'true', 't', 'yes', 'y', 'on'):
        return True
    if v in ('0', 'false', 'f', 'no', 'n', 'off'):
        return False
    raise argparse.ArgumentTypeError('expected a boolean (true/false, 1/0, yes/no), got {!r}'.format(value))


def seed_everything(seed):
    """Seed Python's, NumPy's and torch's RNGs (the data pipeline draws from all three)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def select_device(settings):
    """Keep settings.use_gpu only if a GPU exists; otherwise train on the CPU and say so."""
    if settings.use_gpu and not torch.cuda.is_available():
        print('No CUDA device available: training on the CPU (settings.use_gpu set to False).')
        settings.use_gpu = False
    settings.device = torch.device('cuda:0' if settings.use_gpu else 'cpu')


def run_training(train_module, train_name, cudnn_benchmark=True, seed=None):
    """Run a train setting.
    args:
        train_module - Name of module in the "train_settings/" folder.
        train_name - Name of the train settings file.
        cudnn_benchmark - Use cudnn benchmark or not (default is True).
        seed - if not None, seed the Python, NumPy and torch RNGs (stored as settings.seed).
    """
    # This is needed to avoid strange crashes related to opencv
    cv.setNumThreads(0)
    torch.backends.cudnn.benchmark = cudnn_benchmark

    print('Training:  {}  {}'.format(train_module, train_name))

    settings = ws_settings.Settings()
    settings.module_name = train_module
    settings.script_name = train_name
    settings.project_path = 'ltr/{}/{}'.format(train_module, train_name)
    settings.seed = seed
    if seed is not None:
        seed_everything(seed)
    select_device(settings)

    module_path = 'ltr.train_settings.{}.{}'.format(train_module, train_name)
    try:
        expr_module = importlib.import_module(module_path)
    except ModuleNotFoundError as e:
        if e.name is not None and module_path.startswith(e.name):
            raise SystemExit('No train setting {}: expected a file ltr/train_settings/{}/{}.py'.format(
                module_path, train_module, train_name)) from None
        raise
    expr_func = getattr(expr_module, 'run')
    expr_func(settings)


def main():
    parser = argparse.ArgumentParser(description='Run a train scripts in train_settings.')
    parser.add_argument('train_module', type=str, help='Name of module in the "train_settings/" folder.')
    parser.add_argument('train_name', type=str, help='Name of the train settings file.')
    parser.add_argument('--cudnn_benchmark', type=str2bool, default=True,
                        help='Set cudnn benchmark on (1) or off (0) (default is on).')
    parser.add_argument('--seed', type=int, default=None, help='Seed the RNGs (default: not seeded).')
    args = parser.parse_args()

    from ltr.models.backbone.resnet import PretrainedWeightsUnavailableError
    from ltr.train_settings.required_paths import MissingDatasetSettingsError
    try:
        run_training(args.train_module, args.train_name, args.cudnn_benchmark, args.seed)
    except (MissingDatasetSettingsError, PretrainedWeightsUnavailableError) as e:
        # A configuration problem, not a bug: the message says what to set; no traceback.
        print('Error: {}'.format(e), file=sys.stderr)
        sys.exit(2)


if __name__ == '__main__':
    multiprocessing.set_start_method('spawn', force=True)
    main()
