"""Analysis conventions against hand-computed numbers (see pytracking/analysis/extract_results.py)."""
import os

import numpy as np
import pytest
import torch

from evaltest_helpers import write_rows


class _Seq:
    def __init__(self, name, gt, dataset='otb', target_visible=None):
        self.name, self.ground_truth_rect = name, np.asarray(gt, float)
        self.dataset, self.target_visible = dataset, target_visible
        self.frames = ['f'] * len(gt)


class _Trk:
    def __init__(self, results_dir, name='hand', param='p', run_id=None, display_name=None):
        self.results_dir, self.name, self.parameter_name, self.run_id, self.display_name = \
            results_dir, name, param, run_id, display_name


# Frame 0: prediction replaced by GT (IoU 1). Frame 1: exact (IoU 1). Frame 2: shifted by half the width
# (IoU 10*20 / (2*400 - 200) = 1/3, centre error 10 px, normalized 0.5). Frame 3: far away (IoU 0, error 100).
# Frame 4: GT x = 0 -> invalid frame (pytracking's rule: x, y, w, h all > 0).
GT = [[10, 10, 20, 20], [12, 12, 20, 20], [14, 14, 20, 20], [16, 16, 20, 20], [0, 18, 20, 20]]
PRED = [[99, 99, 5, 5], [12, 12, 20, 20], [24, 14, 20, 20], [116, 16, 20, 20], [0, 18, 20, 20]]


def test_iou_and_center_error_hand_values():
    from pytracking.analysis.extract_results import calc_err_center, calc_iou_overlap
    a = torch.tensor([[0., 0., 10., 10.], [0., 0., 10., 10.], [0., 0., 4., 4.]], dtype=torch.float64)
    b = torch.tensor([[5., 0., 10., 10.], [20., 20., 5., 5.], [1., 1., 2., 2.]], dtype=torch.float64)
    np.testing.assert_allclose(calc_iou_overlap(a, b).numpy(), [50 / 150, 0.0, 4 / 16])  # continuous IoU
    # centre = xy + (wh - 1)/2: (4.5, 4.5) vs (22, 22); (1.5, 1.5) vs (1.5, 1.5)
    np.testing.assert_allclose(calc_err_center(a, b).numpy(), [5.0, np.hypot(17.5, 17.5), 0.0])
    # normalized: centres divided by GT size (10/10 -> 0.5)
    np.testing.assert_allclose(calc_err_center(a[:1], b[:1], normalized=True).numpy(), [0.5])


def test_seq_err_robust_rules():
    from pytracking.analysis.extract_results import calc_seq_err_robust
    gt = torch.tensor(GT, dtype=torch.float64)
    ov, ce, cen, valid = calc_seq_err_robust(torch.tensor(PRED, dtype=torch.float64), gt, 'otb')
    np.testing.assert_allclose(ov.numpy(), [1, 1, 1 / 3, 0, -1])
    np.testing.assert_allclose(ce.numpy(), [0, 0, 10, 100, np.inf])
    np.testing.assert_allclose(cen.numpy(), [0, 0, 0.5, 5, -1])
    assert valid.tolist() == [True, True, True, True, False]
    # UAV: centre error of invalid frames is -1 (counts as success for precision)
    _, ce_uav, _, _ = calc_seq_err_robust(torch.tensor(PRED, dtype=torch.float64), gt, 'uav')
    assert ce_uav[4].item() == -1
    # zero-size prediction copies the previous one; short predictions are zero-padded
    pred = torch.tensor([[0, 0, 1, 1], [12, 12, 20, 20], [5, 5, 0, 7]], dtype=torch.float64)
    ov, _, _, _ = calc_seq_err_robust(pred, gt[:4], 'otb')
    np.testing.assert_allclose(ov.numpy(), [1, 1, (18 * 18) / (800 - 324), 0])
    with pytest.raises(ValueError, match='Mis-match'):
        calc_seq_err_robust(pred, gt[:4], 'lasot')
    with pytest.raises(ValueError, match='Invalid results'):
        calc_seq_err_robust(torch.tensor([[1, 1, -1, 2.]], dtype=torch.float64), gt[:1], 'otb')


def test_auc_precision_hand_computed(pyt_env, capsys):
    from pytracking.analysis.plot_results import plot_results, print_results
    res = pyt_env / 'res'
    write_rows(str(res / 'seq1.txt'), PRED, delimiter='\t')
    dataset = [_Seq('seq1', GT)]
    trk = _Trk(str(res))
    table = print_results([trk], dataset, 'hand', plot_types=('success', 'prec', 'norm_prec'))
    # Success curve (21 thresholds 0..1, strict >) over all 5 frames: IoUs 1, 1, 1/3, 0, -1.
    # t = 0 .. 0.30 (7 thresholds): 3/5; t = 0.35 .. 0.95 (13): 2/5; t = 1.0: 0.  AUC = (7*.6 + 13*.4)/21.
    row = table.iloc[0]
    assert row['AUC'] == pytest.approx(100 * (7 * 0.6 + 13 * 0.4) / 21, abs=1e-4)
    assert row['OP50'] == pytest.approx(40.0, abs=1e-4) and row['OP75'] == pytest.approx(40.0, abs=1e-4)
    assert row['Precision'] == pytest.approx(60.0, abs=1e-4)        # errors 0, 0, 10 <= 20; 100 and inf fail
    assert row['Norm Precision'] == pytest.approx(60.0, abs=1e-4)   # 0, 0 and the invalid frame (-1) pass
    assert '44.76' in capsys.readouterr().out
    written = plot_results([trk], dataset, 'hand', plot_types=('success', 'prec', 'norm_prec'))
    for kind in ('success', 'precision', 'norm_precision'):
        for ext in ('png', 'pdf'):
            path = str(pyt_env / 'plots' / 'hand' / '{}_plot.{}'.format(kind, ext))
            assert path in written and os.path.getsize(path) > 0


def test_exclude_invalid_frames_and_merge_runs(pyt_env):
    from pytracking.analysis.extract_results import extract_results
    from pytracking.analysis.plot_results import compute_scores, merge_multiple_runs, print_per_sequence_results
    write_rows(str(pyt_env / 'r0' / 'seq1.txt'), PRED, delimiter='\t')
    write_rows(str(pyt_env / 'r1' / 'seq1.txt'), GT, delimiter=',')  # comma-delimited files are read too
    trks = [_Trk(str(pyt_env / 'r0'), run_id=0), _Trk(str(pyt_env / 'r1'), run_id=1)]
    data = extract_results(trks, [_Seq('seq1', GT)], 'merge', exclude_invalid_frames=True, verbose=False)
    scores = compute_scores(data)
    # 4 valid frames: IoUs 1, 1, 1/3, 0 -> (7*.75 + 13*.5)/21 ; perfect run: 20/21 (IoU 1 is not > 1.0)
    assert scores['AUC'][0].item() == pytest.approx(100 * (7 * .75 + 13 * .5) / 21, abs=1e-4)
    assert scores['AUC'][1].item() == pytest.approx(100 * 20 / 21, abs=1e-4)
    merged = merge_multiple_runs(data)
    assert len(merged['trackers']) == 1
    assert compute_scores(merged)['AUC'][0].item() == pytest.approx(
        (scores['AUC'][0].item() + scores['AUC'][1].item()) / 2, abs=1e-4)
    # average overlap over valid frames: (1 + 1 + 1/3 + 0)/4
    table = print_per_sequence_results(trks, [_Seq('seq1', GT)], 'merge', exclude_invalid_frames=True)
    assert table.iloc[0, 0] == pytest.approx(100 * (7 / 3) / 4, abs=1e-4)


def test_missing_results(pyt_env):
    from pytracking.analysis.extract_results import extract_results
    write_rows(str(pyt_env / 'r' / 'a.txt'), GT, delimiter='\t')
    seqs = [_Seq('a', GT), _Seq('b', GT)]
    with pytest.raises(FileNotFoundError, match='b.txt'):
        extract_results([_Trk(str(pyt_env / 'r'))], seqs, 'miss', verbose=False)
    data = extract_results([_Trk(str(pyt_env / 'r'))], seqs, 'miss', skip_missing_seq=True, verbose=False)
    assert data['valid_sequence'] == [1, 0]


def test_lasot_invisible_frames(pyt_env):
    from pytracking.analysis.extract_results import calc_seq_err_robust
    gt = torch.tensor([[10, 10, 20, 20]] * 3, dtype=torch.float64)
    vis = torch.tensor([1, 0, 1], dtype=torch.uint8)
    ov, ce, cen, valid = calc_seq_err_robust(gt.clone(), gt, 'lasot', vis)
    assert valid.tolist() == [True, False, True] and ov[1].item() == -1
    assert ce[1].item() == np.inf and cen[1].item() == np.inf  # invisible: failure for both precisions


def test_cache_is_reused_and_foreign_pickles_are_not_executed(pyt_env):
    import pickle

    from pytracking.analysis.plot_results import check_and_load_precomputed_results
    write_rows(str(pyt_env / 'res' / 'seq1.txt'), PRED, delimiter='\t')
    trk, ds = _Trk(str(pyt_env / 'res')), [_Seq('seq1', GT)]
    first = check_and_load_precomputed_results([trk], ds, 'cache', verbose=False)
    os.remove(str(pyt_env / 'res' / 'seq1.txt'))  # the cache must be used now
    assert check_and_load_precomputed_results([trk], ds, 'cache', verbose=False) == first

    class Evil:
        def __reduce__(self):
            return (os.system, ('touch {}'.format(pyt_env / 'pwned'),))
    with open(str(pyt_env / 'plots' / 'cache' / 'eval_data.pkl'), 'wb') as f:
        pickle.dump({'x': Evil()}, f)
    write_rows(str(pyt_env / 'res' / 'seq1.txt'), PRED, delimiter='\t')
    assert check_and_load_precomputed_results([trk], ds, 'cache', verbose=False) == first  # recomputed
    assert not (pyt_env / 'pwned').exists()
