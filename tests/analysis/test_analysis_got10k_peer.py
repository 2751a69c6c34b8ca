"""Our success AUC and precision agree with the got10k toolkit's OTB report on the same result files.

Aligned conventions: got10k reports fractions (ours x100); the ground truth here has x, y, w, h > 0 on every
frame (got10k has no validity rule); both replace the first prediction by the ground truth.
"""
import os

import numpy as np
import pytest

from evaltest_helpers import make_otb_like

got10k = pytest.importorskip('got10k', reason='got10k toolkit not installed (pip install got10k six)')

# Real OTB names (got10k's OTB loader only indexes those).
SEQS = {'Basketball': (30, 20, 18, 26), 'Biker': (15, 25, 22, 14), 'Bird1': (40, 12, 16, 20)}


def _write_random_results(results_dir, gts, rng):
    os.makedirs(results_dir, exist_ok=True)
    for name, gt in gts.items():
        pred = gt + rng.normal(0, 6, size=gt.shape) * np.array([1, 1, 0.5, 0.5])
        pred[:, 2:] = np.maximum(pred[:, 2:], 1)
        pred[rng.random(len(pred)) < 0.2, :2] += 60  # some clear failures
        np.savetxt(os.path.join(results_dir, name + '.txt'), pred.astype(int), delimiter='\t', fmt='%d')


def test_auc_and_precision_match_got10k(pyt_env):
    import matplotlib
    matplotlib.use('Agg')
    from pytracking.analysis.plot_results import print_results
    from pytracking.evaluation import Tracker, get_dataset
    from pytracking.got10k_adapter import export_results_for_got10k, otb_experiment_offline

    otb_root = pyt_env / 'demo' / 'otb'
    gts = make_otb_like(str(otb_root), SEQS, n_frames=30)
    dataset = get_dataset('demo')
    tracker = Tracker('faketrk_results_only', 'default')  # only its results_dir is used
    rng = np.random.default_rng(0)
    _write_random_results(tracker.results_dir, gts, rng)

    table = print_results([tracker], dataset, 'peer', plot_types=('success', 'prec'))

    exp = otb_experiment_offline(str(otb_root), result_dir=str(pyt_env / 'g_res'), report_dir=str(pyt_env / 'g_rep'))
    name = export_results_for_got10k(tracker, dataset, str(pyt_env / 'g_res'), 'OTB2015')
    perf = exp.report([name])[name]['overall']

    assert 10 < table.iloc[0]['AUC'] < 90  # a non-trivial case
    assert table.iloc[0]['AUC'] / 100 == pytest.approx(perf['success_score'], abs=1e-3)
    assert table.iloc[0]['Precision'] / 100 == pytest.approx(perf['precision_score'], abs=1e-3)
    assert table.iloc[0]['OP50'] / 100 == pytest.approx(perf['success_rate'], abs=1e-3)


def test_got10k_runs_our_tracker_through_adapter(pyt_env, fake_tracker):
    import matplotlib
    matplotlib.use('Agg')
    from pytracking.got10k_adapter import PytrackingGot10kTracker, otb_experiment_offline
    otb_root = pyt_env / 'otb'
    make_otb_like(str(otb_root), {'Biker': (15, 25, 22, 14)}, n_frames=4)
    exp = otb_experiment_offline(str(otb_root), result_dir=str(pyt_env / 'g_res'), report_dir=str(pyt_env / 'g_rep'))
    exp.run(PytrackingGot10kTracker('faketrk', 'default'))
    boxes = np.loadtxt(pyt_env / 'g_res' / 'OTB2015' / 'faketrk_default' / 'Biker.txt', delimiter=',')
    np.testing.assert_allclose(boxes[:, :2], [[15, 25], [15.7, 25.4], [16.4, 25.8], [17.1, 26.2]], atol=1e-3)
    # got10k hands PIL RGB images: the fake tracker saw red frames
    assert fake_tracker.last_images[0][0, 0, 0] > 200
