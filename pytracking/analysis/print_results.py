"""Command line: print the result table of trackers on a dataset and write the plots.

    python -m pytracking.analysis.print_results atom demo --dataset demo
    python -m pytracking.analysis.print_results atom default --dataset otb --runids 0 1 2 --merge \
        --report_name atom_otb

Prints AUC, OP50, OP75, Precision and Norm Precision (see plot_results.py for the conventions) and writes
success / precision / normalized precision plots as PNG and PDF to `{result_plot_path}/{report_name}/`.
Several trackers: repeat `--tracker NAME PARAM`. `--fps` adds an FPS column (frames / tracking time over the
scored sequences from the `<seq>_time.txt` files, initialisation frame excluded; not in pytracking's table).
"""
import argparse
import sys

from pytracking.analysis.plot_results import plot_results, print_per_sequence_results, print_results
from pytracking.evaluation import get_dataset, trackerlist


def main(argv=None):
    parser = argparse.ArgumentParser(description='Print result tables and write plots for tracking results.')
    parser.add_argument('tracker_name', nargs='?', help='Name of tracking method.')
    parser.add_argument('tracker_param', nargs='?', help='Name of parameter file.')
    parser.add_argument('--tracker', nargs=2, action='append', default=[], metavar=('NAME', 'PARAM'),
                        help='Additional tracker (repeatable).')
    parser.add_argument('--runids', type=int, nargs='*', default=None, help='Run ids (default: no run id).')
    parser.add_argument('--dataset_name', '--dataset', dest='dataset_name', default='otb', help='Dataset name.')
    parser.add_argument('--report_name', default=None, help='Report folder name (default: <dataset>).')
    parser.add_argument('--merge', action='store_true', help='Average over run ids.')
    parser.add_argument('--per_sequence', action='store_true', help='Also print per-sequence average overlaps.')
    parser.add_argument('--skip_missing_seq', action='store_true', help='Ignore sequences without results.')
    parser.add_argument('--force_evaluation', action='store_true', help='Recompute even if cached.')
    parser.add_argument('--no_plots', action='store_true', help='Only print the table.')
    parser.add_argument('--fps', action='store_true',
                        help='Add an FPS column: frames / tracking time (from <seq>_time.txt) over the scored '
                             'sequences, initialisation frame excluded.')
    args = parser.parse_args(argv)

    pairs = ([(args.tracker_name, args.tracker_param)] if args.tracker_name else []) + [tuple(t) for t in args.tracker]
    if not pairs or any(p is None for pair in pairs for p in pair):
        parser.error('give a tracker as "tracker_name tracker_param" and/or --tracker NAME PARAM')
    trackers = []
    for name, param in pairs:
        trackers.extend(trackerlist(name, param, args.runids))
    dataset = get_dataset(args.dataset_name)
    report_name = args.report_name or args.dataset_name
    plot_types = ('success', 'prec', 'norm_prec')
    kwargs = dict(skip_missing_seq=args.skip_missing_seq)

    table = print_results(trackers, dataset, report_name, merge_results=args.merge, plot_types=plot_types,
                          force_evaluation=args.force_evaluation, fps=args.fps, **kwargs)
    if args.per_sequence:
        print_per_sequence_results(trackers, dataset, report_name, merge_results=args.merge, **kwargs)
    if not args.no_plots:
        for path in plot_results(trackers, dataset, report_name, merge_results=args.merge, plot_types=plot_types,
                                 **kwargs):
            print('Wrote {}'.format(path))
    return table


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError, RuntimeError) as e:
        print('Error: {}'.format(e), file=sys.stderr)
        sys.exit(1)
