"""Run an experiment: a function in `pytracking/experiments/<module>.py` returning (trackers, dataset).

    python pytracking/run_experiment.py myexperiments atom_nfs_uav --threads 4
"""
import argparse
import importlib
import os
import sys

env_path = os.path.join(os.path.dirname(__file__), '..')
if env_path not in sys.path:
    sys.path.insert(0, os.path.abspath(env_path))

from pytracking.evaluation.cli_utils import run_cli  # noqa: E402
from pytracking.evaluation.running import run_dataset  # noqa: E402


def run_experiment(experiment_module: str, experiment_name: str, debug=0, threads=0):
    """Run experiment.
    args:
        experiment_module: Name of experiment module in the experiments/ folder.
        experiment_name: Name of the experiment function.
        debug: Debug level.
        threads: Number of worker processes.
    Returns the list of failed sequences.
    """
    try:
        expr_module = importlib.import_module('pytracking.experiments.{}'.format(experiment_module))
    except ModuleNotFoundError as e:
        if e.name is None or not 'pytracking.experiments.{}'.format(experiment_module).startswith(e.name):
            raise
        raise ValueError('Unknown experiment module {!r}: expected a file pytracking/experiments/{}.py'.format(
            experiment_module, experiment_module)) from None
    expr_func = getattr(expr_module, experiment_name, None)
    if expr_func is None:
        raise ValueError('No experiment {!r} in pytracking/experiments/{}.py'.format(experiment_name,
                                                                                     experiment_module))
    trackers, dataset = expr_func()
    print('Running:  {}  {}'.format(experiment_module, experiment_name))
    return run_dataset(dataset, trackers, debug, threads)


def main():
    parser = argparse.ArgumentParser(description='Run tracker.')
    parser.add_argument('experiment_module', type=str, help='Name of experiment module in the experiments/ folder.')
    parser.add_argument('experiment_name', type=str, help='Name of the experiment function.')
    parser.add_argument('--debug', type=int, default=0, help='Debug level.')
    parser.add_argument('--threads', type=int, default=0, help='Number of threads.')
    args = parser.parse_args()
    if run_cli(run_experiment, args.experiment_module, args.experiment_name, args.debug, args.threads,
               debug=args.debug):
        sys.exit(1)


if __name__ == '__main__':
    main()
