"""Run a tracker on a dataset (or one of its sequences) and save the results.

    python pytracking/run_tracker.py atom default --dataset otb --threads 4
    python pytracking/run_tracker.py atom default --dataset_name otb --sequence Soccer --debug 1

Results go to `{results_path}/{tracker}/{param}[_{runid:03d}]/{sequence}.txt` (see
pytracking/evaluation/running.py). Exits with status 1 if any sequence failed.
"""
import argparse
import os
import sys

env_path = os.path.join(os.path.dirname(__file__), '..')
if env_path not in sys.path:
    sys.path.insert(0, os.path.abspath(env_path))

from pytracking.evaluation import get_dataset  # noqa: E402
from pytracking.evaluation.cli_utils import run_cli, str2bool  # noqa: E402
from pytracking.evaluation.running import run_dataset  # noqa: E402
from pytracking.evaluation.tracker import Tracker  # noqa: E402


def run_tracker(tracker_name, tracker_param, run_id=None, dataset_name='otb', sequence=None, debug=0, threads=0,
                visdom_info=None):
    """Run tracker on sequence or dataset.
    args:
        tracker_name: Name of tracking method.
        tracker_param: Name of parameter file.
        run_id: The run id.
        dataset_name: Name of dataset (otb, nfs, uav, tpl, vot, tn, gott, gotv, lasot, demo).
        sequence: Sequence number or name.
        debug: Debug level.
        threads: Number of threads (worker processes; 0 = run in this process).
        visdom_info: Dict optionally containing 'use_visdom', 'server' and 'port' for Visdom visualization.
    Returns the list of failed sequences (empty on success).
    """
    visdom_info = {} if visdom_info is None else visdom_info
    trackers = [Tracker(tracker_name, tracker_param, run_id)]
    # Fail early (not once per sequence) on a misspelt tracker or parameter name.
    trackers[0]._require_tracker_class()
    trackers[0].get_parameters()
    dataset = get_dataset(dataset_name)
    if sequence is not None:
        if isinstance(sequence, int) and not -len(dataset) <= sequence < len(dataset):
            raise ValueError('Sequence number {} is out of range: dataset {!r} has {} sequences (0 to {})'.format(
                sequence, dataset_name, len(dataset), len(dataset) - 1))
        dataset = [dataset[sequence]]
    return run_dataset(dataset, trackers, debug, threads, visdom_info=visdom_info)


def _sequence_arg(value):
    """A sequence index if it parses as an int, otherwise a sequence name."""
    try:
        return int(value)
    except ValueError:
        return value


def main():
    parser = argparse.ArgumentParser(description='Run tracker on sequence or dataset.')
    parser.add_argument('tracker_name', type=str, help='Name of tracking method.')
    parser.add_argument('tracker_param', type=str, help='Name of parameter file.')
    parser.add_argument('--runid', type=int, default=None, help='The run id.')
    parser.add_argument('--dataset_name', '--dataset', dest='dataset_name', type=str, default='otb',
                        help='Name of dataset (otb, nfs, uav, tpl, tpl_nootb, vot, trackingnet, got10k_test, '
                             'got10k_val, got10k_ltrval, lasot, demo).')
    parser.add_argument('--sequence', type=_sequence_arg, default=None, help='Sequence number or name.')
    parser.add_argument('--debug', type=int, default=0, help='Debug level.')
    parser.add_argument('--threads', type=int, default=0, help='Number of worker processes.')
    # pytracking uses type=bool, which makes '--use_visdom False' True; parsed properly here.
    parser.add_argument('--use_visdom', type=str2bool, default=True, help='Flag to enable visdom (true/false).')
    parser.add_argument('--visdom_server', type=str, default='127.0.0.1', help='Server for visdom.')
    parser.add_argument('--visdom_port', type=int, default=8097, help='Port for visdom.')
    args = parser.parse_args()

    failures = run_cli(run_tracker, args.tracker_name, args.tracker_param, args.runid, args.dataset_name,
                       args.sequence, args.debug, args.threads, {'use_visdom': args.use_visdom,
                                                                'server': args.visdom_server,
                                                                'port': args.visdom_port}, debug=args.debug)
    if failures:
        sys.exit(1)


if __name__ == '__main__':
    main()
