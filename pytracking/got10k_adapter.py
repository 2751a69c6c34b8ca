"""Bridge to the got10k toolkit (`pip install got10k six`; MIT licensed peer evaluation code).

- `PytrackingGot10kTracker('atom', 'default')` is a `got10k.trackers.Tracker` (init(PIL image, box) /
  update(PIL image) -> box), so got10k experiments can run our trackers:

      from got10k.experiments import ExperimentOTB
      exp = otb_experiment_offline('path/to/otb', result_dir='res', report_dir='rep')
      exp.run(PytrackingGot10kTracker('atom', 'default')); exp.report(['atom_default'])

- `export_results_for_got10k(tracker, dataset, result_dir, experiment='OTB2015')` copies our result files
  (tab-separated ints) into the layout got10k's `report()` reads (comma-separated), so results from
  `run_tracker.py` can be scored by got10k too. GOT-10k layout: `experiment='GOT-10k'`.

Convention differences to keep in mind when comparing numbers: got10k reports fractions (we report x100),
uses thresholds `linspace(0, 1, 21)` (ours: float64 `arange`, identical up to 1e-16), has no validity rule for
OTB ground truth (ours: frames with x, y, w or h <= 0 count as failures), and averages GOT-10k over frames
with `cover > 0` only.
"""
import os

import numpy as np

from pytracking.evaluation.tracker import Tracker

try:
    from got10k.trackers import Tracker as _Got10kTracker
except ImportError:  # got10k is optional: the adapter class then fails with a clear message when built
    _Got10kTracker = object


class PytrackingGot10kTracker(_Got10kTracker):
    """Runs `pytracking.tracker.<name>` with `pytracking.parameter.<name>.<param>` inside got10k experiments.
    A fresh tracker object is created for every sequence (`init`)."""

    def __init__(self, tracker_name, tracker_param, run_id=None, name=None):
        if _Got10kTracker is object:
            raise ImportError('The got10k toolkit is not installed: pip install got10k six')
        self.pytracking_tracker = Tracker(tracker_name, tracker_param, run_id)
        if name is None:
            name = '{}_{}'.format(tracker_name, tracker_param) + ('' if run_id is None else '_{:03d}'.format(run_id))
        super().__init__(name=name, is_deterministic=False)
        self.tracker = None

    def init(self, image, box):
        params = self.pytracking_tracker.get_parameters()
        params.debug = 0
        params.visualization = False
        self.tracker = self.pytracking_tracker.create_tracker(params)
        box = [float(v) for v in box]
        self.tracker.initialize(np.asarray(image.convert('RGB')), {'init_bbox': box})

    def update(self, image):
        out = self.tracker.track(np.asarray(image.convert('RGB')), {})
        return np.array(out['target_bbox'], dtype=float)


def otb_experiment_offline(root_dir, version=2015, result_dir='results', report_dir='reports'):
    """`got10k.experiments.ExperimentOTB` without its automatic download (which fails offline)."""
    import got10k.datasets.otb as otbmod
    from got10k.experiments import ExperimentOTB
    otbmod.OTB._download = lambda self, root, ver: root
    return ExperimentOTB(root_dir, version=version, result_dir=result_dir, report_dir=report_dir)


def export_results_for_got10k(tracker, dataset, result_dir, experiment='OTB2015', name=None):
    """Write `tracker`'s result files for `dataset` where got10k's `report()` looks for them.
    Returns the tracker name to pass to `report([name])`."""
    from ltr.admin.atomic_io import atomic_savetxt
    from pytracking.utils.load_text import load_text
    if name is None:
        name = '{}_{}'.format(tracker.name, tracker.parameter_name) + (
            '' if tracker.run_id is None else '_{:03d}'.format(tracker.run_id))
    for seq in dataset:
        src = os.path.join(tracker.results_dir, seq.name + '.txt')
        if not os.path.isfile(src):
            raise FileNotFoundError('No result file {} for sequence {}'.format(src, seq.name))
        boxes = load_text(src, delimiter=('\t', ','), dtype=np.float64)
        if experiment.startswith('GOT-10k'):
            dst = os.path.join(result_dir, experiment, name, seq.name, '{}_001.txt'.format(seq.name))
        else:
            dst = os.path.join(result_dir, experiment, name, '{}.txt'.format(seq.name))
        atomic_savetxt(dst, boxes, delimiter=',', fmt='%.4f')
        time_src = os.path.join(tracker.results_dir, seq.name + '_time.txt')
        if os.path.isfile(time_src) and not experiment.startswith('GOT-10k'):
            times = np.loadtxt(time_src, ndmin=1)
            atomic_savetxt(os.path.join(result_dir, experiment, name, 'times', '{}_time.txt'.format(seq.name)),
                           times, fmt='%.8f')
    return name
