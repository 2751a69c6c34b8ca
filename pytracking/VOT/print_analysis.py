"""Print the table of a `vot analysis --format json` report of the demo stack (make_workspace.py's stack.yaml).

    python pytracking/VOT/print_analysis.py workspace/vot_demo/analysis/demo.json

Columns: EAO, accuracy, robustness (failures per sequence, as the toolkit reports it; lower is better) and the
VOT-style robustness score exp(-30 * failures / length) from the baseline (supervised) experiment, and the
average overlap (AO) of the unsupervised experiment.
"""
import json
import sys


def _analyses(report, experiment):
    """[(analysis type, per-tracker results)] of one experiment."""
    exp = report['results'].get(experiment)
    if exp is None:
        return []
    types = [a['type'].rsplit('.', 1)[-1] for a in exp['parameters']['analyses']]
    return list(zip(types, exp['results']))


def summarise(report):
    """{tracker label: {'EAO', 'accuracy', 'failures', 'robustness_score', 'AO'}} (missing analyses left out)."""
    names = list(report['trackers'])
    rows = {n: {} for n in names}
    for kind, per_tracker in _analyses(report, 'baseline'):
        for name, result in zip(names, per_tracker):
            if kind == 'AverageAccuracyRobustness':
                accuracy, failures, ar, _length = result
                rows[name].update(accuracy=accuracy, failures=failures, robustness_score=ar[0])
            elif kind == 'EAOScore':
                rows[name]['EAO'] = result[0]
    for kind, per_tracker in _analyses(report, 'unsupervised'):
        for name, result in zip(names, per_tracker):
            if kind == 'AverageAccuracy':
                rows[name]['AO'] = result[0]
    return rows


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.exit('usage: print_analysis.py REPORT.json')
    with open(argv[0]) as f:
        report = json.load(f)
    rows = summarise(report)
    cols = [('EAO', 'EAO'), ('accuracy', 'Accuracy'), ('failures', 'Robustness (failures/seq)'),
            ('robustness_score', 'R score exp(-30 F/len)'), ('AO', 'Unsupervised AO')]
    print('| tracker | ' + ' | '.join(c[1] for c in cols) + ' |')
    print('|---' * (len(cols) + 1) + '|')
    for name, row in rows.items():
        label = report['trackers'][name].get('label') or name
        print('| {} | '.format(label) + ' | '.join(
            '{:.3f}'.format(row[k]) if k in row else '-' for k, _ in cols) + ' |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
