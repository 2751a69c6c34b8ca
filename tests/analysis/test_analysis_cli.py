"""End to end with the fake tracker: run_experiment -> results -> `python -m pytracking.analysis.print_results`."""
import os
import sys
import types

import pytest

from evaltest_helpers import make_otb_like


def test_experiment_then_print_results_cli(pyt_env, fake_tracker, capsys):
    make_otb_like(str(pyt_env / 'demo' / 'otb'), {'Alpha': (5, 6, 10, 12), 'Beta': (3, 4, 8, 9)}, n_frames=4)
    from pytracking.evaluation import get_dataset, trackerlist

    exp = types.ModuleType('pytracking.experiments.evaltest_exp')
    exp.fake_demo = lambda: (trackerlist('faketrk', 'default', range(2)), get_dataset('demo'))
    sys.modules['pytracking.experiments.evaltest_exp'] = exp
    try:
        from pytracking.run_experiment import run_experiment
        assert run_experiment('evaltest_exp', 'fake_demo') == []
        with pytest.raises(ValueError, match='no_such'):
            run_experiment('evaltest_exp', 'no_such')
    finally:
        del sys.modules['pytracking.experiments.evaltest_exp']

    from pytracking.analysis.print_results import main
    table = main(['faketrk', 'default', '--dataset', 'demo', '--runids', '0', '1', '--merge', '--report_name', 'cli'])
    out = capsys.readouterr().out
    assert 'faketrk_default_000' in out and 'Norm Precision' in out
    assert list(table.columns) == ['AUC', 'OP50', 'OP75', 'Precision', 'Norm Precision'] and len(table) == 1
    # The fake tracker drifts by (0.7, 0.4) px per frame -> truncated boxes move by at most 2 px in 3 frames:
    # centre errors <= 20 px everywhere.
    assert table.iloc[0]['Precision'] == pytest.approx(100.0)
    for kind in ('success', 'precision', 'norm_precision'):
        assert os.path.getsize(pyt_env / 'plots' / 'cli' / '{}_plot.png'.format(kind)) > 0
    assert (pyt_env / 'plots' / 'cli' / 'eval_data.pkl').exists()
    assert (pyt_env / 'plots' / 'cli' / 'eval_data_per_frame.npz').exists()

    from pytracking.analysis.extract_results import load_per_frame_errors
    per_frame = load_per_frame_errors('cli')
    assert per_frame['sequences'] == ['Alpha', 'Beta']
    assert per_frame['overlap'][(0, 0)][0] == pytest.approx(1.0)  # first frame = ground truth
    assert per_frame['overlap'][(0, 0)].shape == (4,)


def test_playback_saves_frames(pyt_env, fake_tracker):
    make_otb_like(str(pyt_env / 'demo' / 'otb'), {'Alpha': (5, 6, 10, 12)}, n_frames=3)
    from pytracking.analysis.playback_results import playback_results
    from pytracking.evaluation import Tracker, get_dataset
    from pytracking.evaluation.running import run_dataset
    seq = get_dataset('demo')['Alpha']
    trk = Tracker('faketrk', 'default')
    run_dataset([seq], [trk])
    playback_results([trk], seq, save_dir=str(pyt_env / 'pb'))
    assert sorted(os.listdir(pyt_env / 'pb')) == ['00001.png', '00002.png', '00003.png']
