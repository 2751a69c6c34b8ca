import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def pyt_env(tmp_path, monkeypatch):
    """Point results/plots/demo paths at a temporary folder; returns that folder."""
    monkeypatch.setenv('PYTRACKING_RESULTS_PATH', str(tmp_path / 'results'))
    monkeypatch.setenv('PYTRACKING_RESULT_PLOT_PATH', str(tmp_path / 'plots'))
    monkeypatch.setenv('PYTRACKING_SEGMENTATION_PATH', str(tmp_path / 'seg'))
    monkeypatch.setenv('PYTRACKING_DEMO_PATH', str(tmp_path / 'demo'))
    return tmp_path


@pytest.fixture
def fake_tracker(monkeypatch):
    import evaltest_fake_tracker as ft
    ft.register()
    ft.calls['initialize'] = 0
    ft.last_images.clear()
    monkeypatch.delenv('FAKE_TRACKER_FAIL_WIDTH', raising=False)
    monkeypatch.delenv('FAKE_TRACKER_EXIT_ON_INIT', raising=False)
    return ft
