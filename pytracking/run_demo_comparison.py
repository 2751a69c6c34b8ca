"""Compare ATOM with the trackers a user would pick instead, in one table per dataset.

    python pytracking/run_demo_comparison.py                                  # dataset demo, 2 threads
    python pytracking/run_demo_comparison.py --dataset demo demo_real         # or --dataset A --dataset B
    python pytracking/run_demo_comparison.py --tracker opencv csrt --tracker firstbox default   # other set

Runs, in this one process and one after the other (so every tracker gets the same cores), the trackers
    atom demo, atom demo_no_iounet, opencv csrt, opencv kcf, opencv mil, firstbox default
on every sequence of each dataset (pytracking/evaluation/running.py: results in
`{results_path}/{tracker}/{param}/`, sequences with complete results are not rerun: delete that folder to
rerun a tracker), then prints AUC, OP50, OP75, Precision and FPS (frames / tracking time, initialisation frame
excluded; see pytracking/analysis/plot_results.py) and writes the success plot of all of them to
    {result_plot_path}/{dataset}_comparison/success_plot.png   (and .pdf)

`--threads N` (default 2) is the number of compute threads, the same for all trackers: torch.set_num_threads(N)
and cv2.setNumThreads(N). (run_tracker.py's `--threads` is a number of worker processes instead; here
everything runs in one process.) A tracker whose module or parameter file is missing, or that fails on the
first sequence (e.g. ATOM before `ltr/run_training.py bbreg atom_demo` made its network), is reported in one
line and left out; a sequence a tracker failed on later is left out of that dataset's table for all trackers.
The exit status is 1 if anything was left out.
"""
import argparse
import os
import sys

env_path = os.path.join(os.path.dirname(__file__), '..')
if env_path not in sys.path:
    sys.path.insert(0, os.path.abspath(env_path))

DEFAULT_TRACKERS = (('atom', 'demo'), ('atom', 'demo_no_iounet'), ('opencv', 'csrt'), ('opencv', 'kcf'),
                    ('opencv', 'mil'), ('firstbox', 'default'))
SCORE_TYPES = ('success', 'prec')  # AUC, OP50, OP75, Precision (+ FPS)


def set_threads(num_threads):
    """The same compute thread count for torch (ATOM) and OpenCV (CSRT, KCF, MIL) in this process."""
    import cv2
    import torch
    torch.set_num_threads(num_threads)
    cv2.setNumThreads(num_threads)


def report_name_for(dataset_name):
    return '{}_comparison'.format(dataset_name)


def success_plot_path(dataset_name):
    """Where the success plot PNG of a dataset's comparison is written."""
    from pytracking.evaluation.environment import env_settings
    return os.path.join(env_settings().result_plot_path, report_name_for(dataset_name), 'success_plot.png')


def load_trackers(pairs):
    """Tracker objects for the (name, parameter) pairs that exist; one error line for each that does not."""
    from pytracking.evaluation import Tracker
    trackers, errors = [], []
    for name, param in pairs:
        try:
            tracker = Tracker(name, param)
            tracker._require_tracker_class()
            tracker.get_parameters()
        except Exception as e:  # a missing/broken tracker or parameter file: one line, not a traceback
            errors.append('{} {}: {}: {}'.format(name, param, type(e).__name__, e))
            continue
        trackers.append(tracker)
    return trackers, errors


def _has_results(tracker, dataset):
    return any(os.path.isfile(os.path.join(tracker.results_dir, '{}.txt'.format(seq.name))) for seq in dataset)


def compare(dataset_name, trackers):
    """Run `trackers` on `dataset_name`, print the table and write the success plot.

    Each tracker first runs on the first sequence alone: one that fails there (e.g. ATOM without its trained
    network) is reported and left out instead of failing on every sequence. A tracker without any result is
    left out of the table; a sequence that some tracker failed on is left out for all (skip_missing_seq).
    Returns (table DataFrame or None, success plot PNG path or None, list of problems as text lines)."""
    from pytracking.analysis.plot_results import plot_results, print_results
    from pytracking.evaluation import get_dataset
    from pytracking.evaluation.running import run_dataset, run_sequence

    dataset = get_dataset(dataset_name)
    problems = []
    usable = []
    for tracker in trackers:
        res = run_sequence(dataset[0], tracker)
        if res.status == 'failed':
            last = res.error.strip().splitlines()[-1].strip() if res.error else ''
            problems.append('{} {} failed on {} (left out of {}): {}'.format(
                tracker.name, tracker.parameter_name, dataset[0].name, dataset_name, last))
        else:
            usable.append(tracker)
    failures = run_dataset(dataset, usable, debug=0, threads=0) if usable else []
    problems += ['{} failed on {} (sequence left out of the table): {}'.format(
        r.tracker, r.sequence, r.error.strip().splitlines()[-1].strip() if r.error else '') for r in failures]
    scored = [t for t in usable if _has_results(t, dataset)]
    if not scored:
        problems.append('no tracker has results on {}'.format(dataset_name))
        return None, None, problems

    report_name = report_name_for(dataset_name)
    # force_evaluation: the cached curves are keyed by tracker and sequence names only, not by the result files.
    table = print_results(scored, dataset, report_name, plot_types=SCORE_TYPES, fps=True,
                          force_evaluation=True, skip_missing_seq=True)
    written = plot_results(scored, dataset, report_name, plot_types=('success',), skip_missing_seq=True,
                           plot_opts={'success': {'ylim': (0, 100), 'title': 'Success ({})'.format(dataset_name)}})
    png = [p for p in written if p.endswith('.png')][0]
    print('Success plot: {}'.format(os.path.abspath(png)))
    return table, png, problems


def main(argv=None):
    parser = argparse.ArgumentParser(description='Run ATOM and baseline trackers on datasets and print one '
                                                 'comparison table (AUC, OP50, OP75, Precision, FPS) per dataset.')
    parser.add_argument('--dataset', '--dataset_name', dest='datasets', nargs='+', action='extend', default=None,
                        help='Dataset name(s) (default: demo); repeat the option or list several.')
    parser.add_argument('--tracker', nargs=2, action='append', default=None, metavar=('NAME', 'PARAM'),
                        help='Tracker to compare (repeatable); replaces the default set: {}.'.format(
                            ', '.join('{} {}'.format(*p) for p in DEFAULT_TRACKERS)))
    parser.add_argument('--threads', type=int, default=2,
                        help='Compute threads for every tracker (torch.set_num_threads and cv2.setNumThreads; '
                             'default 2). Everything runs in this one process.')
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error('--threads must be >= 1')
    datasets = args.datasets or ['demo']
    pairs = [tuple(p) for p in args.tracker] if args.tracker else list(DEFAULT_TRACKERS)

    set_threads(args.threads)
    trackers, errors = load_trackers(pairs)
    for line in errors:
        print('Error: tracker {} (left out)'.format(line), file=sys.stderr)
    if not trackers:
        print('Error: none of the trackers is available', file=sys.stderr)
        return 1
    print('Comparing {} with {} thread(s) on {}'.format(
        ', '.join('{} {}'.format(t.name, t.parameter_name) for t in trackers), args.threads, ', '.join(datasets)))

    problems = ['tracker {} (left out)'.format(e) for e in errors]
    for dataset_name in datasets:
        try:
            _, _, dataset_problems = compare(dataset_name, trackers)
        except (ValueError, FileNotFoundError, RuntimeError, IndexError) as e:
            dataset_problems = ['dataset {}: {}'.format(dataset_name, e)]
        problems += dataset_problems
    for line in problems[len(errors):]:
        print('Error: {}'.format(line), file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
