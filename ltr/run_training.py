"""Run a training setting: `python ltr/run_training.py <train_module> <train_name>`, e.g. `bbreg atom_demo`,
which calls `ltr.train_settings.<train_module>.<train_name>.run(settings)`.

Multi-process data-parallel training: `torchrun --nproc_per_node N ltr/run_training.py bbreg atom_demo`, or
`python ltr/run_training.py bbreg atom_demo --nproc N` (which starts torchrun itself, on this machine). Each
process gets seed = base seed + rank (so the ranks draw different samples), cuda:LOCAL_RANK on GPUs, and
settings.batch_size is per process (the global batch is N times it)."""
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
from ltr.admin import distributed  # noqa: E402


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
    """Keep settings.use_gpu only if a GPU exists; otherwise train on the CPU and say so.
    In multi-process training each process uses cuda:LOCAL_RANK."""
    if settings.use_gpu and not torch.cuda.is_available():
        print('No CUDA device available: training on the CPU (settings.use_gpu set to False).')
        settings.use_gpu = False
    index = distributed.get_local_rank() if distributed.is_distributed() else 0
    settings.device = torch.device('cuda:{}'.format(index) if settings.use_gpu else 'cpu')
    if settings.use_gpu and distributed.is_distributed():
        torch.cuda.set_device(settings.device)


def _distributed_seed(seed):
    """The seed of this process: base seed + rank. Without --seed, rank 0 draws a base seed and sends it to
    the others (unseeded processes would share torch's fixed default seed and draw the same samples)."""
    if seed is None:
        seed = distributed.broadcast_int(random.SystemRandom().randrange(2 ** 31))
    return seed + distributed.get_rank()


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

    # Under torchrun (WORLD_SIZE > 1): join the process group (nccl on GPUs, gloo on the CPU).
    owns_group = distributed.init_distributed()
    stdout = sys.stdout
    try:
        if not distributed.is_main_process():
            # Only rank 0 prints (the train settings print too); warnings and errors still go to stderr.
            sys.stdout = open(os.devnull, 'w')
        if distributed.is_distributed():
            print('Training:  {}  {}  ({} processes, batch_size per process)'.format(
                train_module, train_name, distributed.get_world_size()))
        else:
            print('Training:  {}  {}'.format(train_module, train_name))
        _run_training(train_module, train_name, seed)
    finally:
        if sys.stdout is not stdout:
            sys.stdout.close()
            sys.stdout = stdout
        if owns_group:
            distributed.cleanup()


def _run_training(train_module, train_name, seed):
    settings = ws_settings.Settings()
    settings.module_name = train_module
    settings.script_name = train_name
    settings.project_path = 'ltr/{}/{}'.format(train_module, train_name)
    if distributed.is_distributed():
        settings.world_size = distributed.get_world_size()
        seed = _distributed_seed(seed)
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
    expr_func = expr_module.run
    expr_func(settings)


def main():
    parser = argparse.ArgumentParser(description='Run a train scripts in train_settings.')
    parser.add_argument('train_module', type=str, help='Name of module in the "train_settings/" folder.')
    parser.add_argument('train_name', type=str, help='Name of the train settings file.')
    parser.add_argument('--cudnn_benchmark', type=str2bool, default=True,
                        help='Set cudnn benchmark on (1) or off (0) (default is on).')
    parser.add_argument('--seed', type=int, default=None, help='Seed the RNGs (default: not seeded). With several '
                        'processes, process k uses seed + k.')
    parser.add_argument('--nproc', type=int, default=1, help='Train with this many processes on this machine '
                        '(torch.distributed data parallel, started through torchrun; default 1: one process).')
    parser.add_argument('--debug', action='store_true', help='Show the traceback of a configuration or data error.')
    args = parser.parse_args()

    if args.nproc > 1 and not distributed.launched_distributed():
        sys.exit(_launch_local_processes(args.nproc))

    from ltr.admin.loading import DamagedCheckpointError, UnsafeCheckpointError
    from ltr.data.sampler import BadDataError
    from ltr.models.backbone.resnet import PretrainedWeightsUnavailableError
    from ltr.train_settings.required_paths import MissingDatasetSettingsError
    from ltr.trainers.base_trainer import CheckpointSaveError
    try:
        run_training(args.train_module, args.train_name, args.cudnn_benchmark, args.seed)
    except (MissingDatasetSettingsError, PretrainedWeightsUnavailableError, CheckpointSaveError, BadDataError,
            DamagedCheckpointError, UnsafeCheckpointError) as e:
        # A configuration, disk or data problem, not a bug: the message names the file or setting; no traceback.
        if args.debug:
            raise
        print('Error: {}'.format(e), file=sys.stderr)
        sys.exit(2)


def _launch_local_processes(nproc):
    """`--nproc N`: re-run this script under torchrun (standalone rendezvous on a free local port) with N
    processes; they see WORLD_SIZE = N and train data-parallel. Returns the exit status."""
    from torch.distributed.run import get_args_parser, run
    argv = []
    skip = False
    for a in sys.argv[1:]:      # drop --nproc N / --nproc=N, keep the rest for the workers
        if skip:
            skip = False
        elif a == '--nproc':
            skip = True
        elif not a.startswith('--nproc='):
            argv.append(a)
    torchrun_args = get_args_parser().parse_args(['--standalone', '--nproc_per_node', str(nproc),
                                                  os.path.abspath(__file__)] + argv)
    try:
        run(torchrun_args)
    except Exception as e:      # torchrun's ChildFailedError: the workers printed their tracebacks
        print('Error: multi-process training failed: {}'.format(type(e).__name__), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    multiprocessing.set_start_method('spawn', force=True)
    main()
