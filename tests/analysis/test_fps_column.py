"""The optional FPS column of the result table: frames / tracking seconds over the scored sequences, from the
`<seq>_time.txt` files, initialisation frame (frame 0) excluded. Hand-written times, hand-computed FPS."""
import os

import numpy as np
import pytest

from evaltest_helpers import make_otb_like, write_rows


class _Seq:
    def __init__(self, name, gt):
        self.name, self.ground_truth_rect, self.dataset, self.target_visible = name, np.asarray(gt, float), 'otb', None
        self.frames = ['f'] * len(gt)


class _Trk:
    def __init__(self, results_dir, name, param='p', run_id=None):
        self.results_dir, self.name, self.parameter_name, self.run_id, self.display_name = \
            results_dir, name, param, run_id, None


GT1 = [[10, 10, 20, 20], [12, 12, 20, 20], [14, 14, 20, 20], [16, 16, 20, 20]]
GT2 = [[30, 30, 10, 10], [31, 30, 10, 10], [32, 30, 10, 10]]
# Frame 0 (first value) is the initialisation and is left out of the FPS.
TIMES = {
    'fast': {'seq1': [0.5, 0.01, 0.01, 0.02], 'seq2': [0.7, 0.02, 0.04]},   # 5 frames / 0.10 s = 50 FPS
    'slow': {'seq1': [9.0, 0.1, 0.1, 0.2], 'seq2': [3.0, 0.05, 0.15]},      # 5 frames / 0.60 s = 8.33 FPS
}


def _write(res_dir, seq, gt, times):
    write_rows(os.path.join(res_dir, seq + '.txt'), gt, delimiter='\t')
    write_rows(os.path.join(res_dir, seq + '_time.txt'), [[t] for t in times])


@pytest.fixture
def hand_results(pyt_env):
    trackers = []
    for name, per_seq in TIMES.items():
        res_dir = str(pyt_env / 'res' / name)
        _write(res_dir, 'seq1', GT1, per_seq['seq1'])
        _write(res_dir, 'seq2', GT2, per_seq['seq2'])
        trackers.append(_Trk(res_dir, name))
    return trackers, [_Seq('seq1', GT1), _Seq('seq2', GT2)]


def test_fps_column_hand_computed(hand_results, capsys):
    from pytracking.analysis.plot_results import print_results
    trackers, dataset = hand_results
    table = print_results(trackers, dataset, 'fps', plot_types=('success', 'prec'), fps=True)
    assert list(table.columns) == ['AUC', 'OP50', 'OP75', 'Precision', 'FPS']
    assert table.loc['fast_p', 'FPS'] == pytest.approx(5 / (0.01 + 0.01 + 0.02 + 0.02 + 0.04))
    assert table.loc['slow_p', 'FPS'] == pytest.approx(5 / (0.1 + 0.1 + 0.2 + 0.05 + 0.15))
    assert table.loc['fast_p', 'AUC'] == pytest.approx(100 * 20 / 21)  # exact boxes: IoU 1 (> t except t = 1)
    out = capsys.readouterr().out
    assert '50.00' in out and '8.33' in out and 'initialisation frame excluded' in out


def test_fps_including_the_init_frame(hand_results):
    from pytracking.analysis.extract_results import extract_timings
    trackers, dataset = hand_results
    frames, seconds = extract_timings(trackers, dataset, include_init=True)
    assert frames.tolist() == [7, 7]
    np.testing.assert_allclose(seconds, [sum(TIMES['fast']['seq1'] + TIMES['fast']['seq2']),
                                         sum(TIMES['slow']['seq1'] + TIMES['slow']['seq2'])])


def test_default_table_has_no_fps(hand_results, capsys):
    from pytracking.analysis.plot_results import print_results
    trackers, dataset = hand_results
    table = print_results(trackers, dataset, 'nofps', plot_types=('success', 'prec', 'norm_prec'))
    assert list(table.columns) == ['AUC', 'OP50', 'OP75', 'Precision', 'Norm Precision']
    assert 'FPS' not in capsys.readouterr().out


def test_fps_over_scored_sequences_only_and_missing_time_file(hand_results, pyt_env):
    from pytracking.analysis.plot_results import print_results
    trackers, dataset = hand_results
    # seq3: only 'fast' has results, so with skip_missing_seq it is scored for nobody, and its (huge) time
    # must not count either.
    gt3 = [[5, 5, 10, 10]] * 3
    _write(trackers[0].results_dir, 'seq3', gt3, [0.1, 100.0, 100.0])
    table = print_results(trackers, dataset + [_Seq('seq3', gt3)], 'skip', plot_types=('success',), fps=True,
                          skip_missing_seq=True)
    assert table.loc['fast_p', 'FPS'] == pytest.approx(50.0)
    # No time file: FPS unknown (NaN), not 0 or inf.
    os.remove(os.path.join(trackers[1].results_dir, 'seq2_time.txt'))
    table = print_results(trackers, dataset, 'missing_time', plot_types=('success',), fps=True,
                          force_evaluation=True)
    assert np.isnan(table.loc['slow_p', 'FPS']) and table.loc['fast_p', 'FPS'] == pytest.approx(50.0)


def test_fps_of_merged_runs_sums_frames_and_times(pyt_env):
    from pytracking.analysis.plot_results import print_results
    runs = []
    for run_id, times in enumerate([[1.0, 0.1, 0.1, 0.1], [1.0, 0.3, 0.3, 0.3]]):
        res_dir = str(pyt_env / 'res' / 'multi_{:03d}'.format(run_id))
        _write(res_dir, 'seq1', GT1, times)
        runs.append(_Trk(res_dir, 'multi', run_id=run_id))
    table = print_results(runs, [_Seq('seq1', GT1)], 'merged', merge_results=True, plot_types=('success',), fps=True)
    assert len(table) == 1 and table.iloc[0]['FPS'] == pytest.approx(6 / 1.2)


def test_print_results_cli_fps_flag(pyt_env, fake_tracker, capsys):
    make_otb_like(str(pyt_env / 'demo' / 'otb'), {'Alpha': (5, 6, 10, 12), 'Beta': (3, 4, 8, 9)}, n_frames=4)
    from pytracking.analysis.print_results import main
    from pytracking.evaluation import Tracker, get_dataset
    from pytracking.evaluation.running import run_dataset
    trk = Tracker('faketrk', 'default')
    assert run_dataset(get_dataset('demo'), [trk]) == []
    # Rewrite the measured times with known ones: 3 tracked frames per sequence.
    write_rows(os.path.join(trk.results_dir, 'Alpha_time.txt'), [[2.0], [0.25], [0.25], [0.5]])
    write_rows(os.path.join(trk.results_dir, 'Beta_time.txt'), [[2.0], [0.5], [0.25], [0.25]])
    table = main(['faketrk', 'default', '--dataset', 'demo', '--fps', '--no_plots'])
    assert list(table.columns) == ['AUC', 'OP50', 'OP75', 'Precision', 'Norm Precision', 'FPS']
    assert table.iloc[0]['FPS'] == pytest.approx(6 / 2.0)
    assert '3.00' in capsys.readouterr().out
    table = main(['faketrk', 'default', '--dataset', 'demo', '--no_plots'])
    assert 'FPS' not in table.columns
