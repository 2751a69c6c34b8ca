"""pytracking/run_demo_comparison.py with trackers that need no trained network (fake, first box, OpenCV KCF)."""
import os
import re

import cv2
import pytest
import torch

from evaltest_helpers import make_otb_like


@pytest.fixture
def restore_threads():
    cv_threads, torch_threads = cv2.getNumThreads(), torch.get_num_threads()
    yield
    cv2.setNumThreads(cv_threads)
    torch.set_num_threads(torch_threads)


def test_comparison_table_plot_and_missing_tracker(pyt_env, fake_tracker, restore_threads, capsys):
    make_otb_like(str(pyt_env / 'demo' / 'otb'), {'Alpha': (5, 6, 10, 12), 'Beta': (3, 4, 8, 9)}, n_frames=5)
    from pytracking.run_demo_comparison import main, success_plot_path
    rc = main(['--tracker', 'faketrk', 'default', '--tracker', 'firstbox', 'default', '--tracker', 'opencv', 'kcf',
               '--tracker', 'atom', 'no_such_param', '--threads', '1'])
    out, err = capsys.readouterr()
    assert rc == 1  # one tracker left out
    error_lines = [line for line in err.splitlines() if line.startswith('Error:')]
    assert len(error_lines) == 1 and 'atom no_such_param' in error_lines[0] and 'Traceback' not in err
    assert torch.get_num_threads() == 1 and cv2.getNumThreads() == 1
    header = [line for line in out.splitlines() if line.startswith('demo_comparison')]
    assert len(header) == 1
    assert [c.strip() for c in header[0].split('|')[1:-1]] == ['AUC', 'OP50', 'OP75', 'Precision', 'FPS']
    for row in ('faketrk_default', 'firstbox_default', 'opencv_kcf'):
        assert any(line.startswith(row) for line in out.splitlines())
    png = success_plot_path('demo')
    assert png == str(pyt_env / 'plots' / 'demo_comparison' / 'success_plot.png')
    assert os.path.getsize(png) > 0 and 'Success plot: {}'.format(png) in out


def test_tracker_failing_on_first_sequence_is_left_out(pyt_env, fake_tracker, restore_threads, monkeypatch, capsys):
    make_otb_like(str(pyt_env / 'demo' / 'otb'), {'Alpha': (5, 6, 10, 12), 'Beta': (3, 4, 8, 9)}, n_frames=4)
    monkeypatch.setenv('FAKE_TRACKER_FAIL_WIDTH', '10')  # the fake tracker fails on Alpha (width 10)
    from pytracking.run_demo_comparison import main
    rc = main(['--tracker', 'faketrk', 'default', '--tracker', 'firstbox', 'default', '--dataset', 'demo'])
    out, err = capsys.readouterr()
    assert rc == 1
    assert any(line.startswith('Error: faketrk default failed on Alpha') for line in err.splitlines())
    rows = [m.group(1) for m in (re.match(r'^(\w+) +\| ', line) for line in out.splitlines()) if m]
    assert rows == ['demo_comparison', 'firstbox_default']
    assert 'Reporting results over 2 / 2 sequences' in out  # Beta was not tried by the failing tracker


def test_unknown_dataset_is_one_error_line(pyt_env, restore_threads, capsys):
    from pytracking.run_demo_comparison import main
    assert main(['--tracker', 'firstbox', 'default', '--dataset', 'no_such_dataset']) == 1
    err = capsys.readouterr().err
    assert 'Error: dataset no_such_dataset' in err and 'Traceback' not in err
