"""Shared pytest fixtures.

`demo_data_root`: the embedded demo datasets (`ltr.dataset.demo_data`), generated once per test session into a
temporary folder (about 3 s). Layout: got10k/{train,val}, lasot, trackingnet, coco, otb (+ otb/sequences.json),
demo_manifest.json.

`demo_env`: points the ltr / pytracking environment variables (LTR_*_DIR, PYTRACKING_*_PATH) at that folder for
one test.

`pyt_env`: points pytracking's results/plots/demo paths at a temporary folder. `fake_tracker`: a trivial tracker
registered as `pytracking.tracker.evaltest_fake` (tests/evaluation/evaltest_fake_tracker.py), so evaluation tests
do not depend on ATOM.

Tests marked `@pytest.mark.cuda` are skipped, with the reason, where torch.cuda.is_available() is False. The
helper modules' folders are on sys.path through pytest's `pythonpath` setting (pyproject.toml).
"""
import os

import pytest


def pytest_collection_modifyitems(config, items):
    import torch
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason='needs CUDA (marked cuda): torch.cuda.is_available() is False')
    for item in items:
        if item.get_closest_marker('cuda') is not None:
            item.add_marker(skip)


@pytest.fixture(scope='session')
def demo_data_root(tmp_path_factory):
    from ltr.dataset.demo_data import generate
    return generate(str(tmp_path_factory.mktemp('demo_data')), seed=0)


@pytest.fixture
def demo_env(demo_data_root, monkeypatch):
    r = demo_data_root
    for name, value in {
        'LTR_DEMO_DIR': r,
        'LTR_GOT10K_DIR': os.path.join(r, 'got10k', 'train'),
        'LTR_LASOT_DIR': os.path.join(r, 'lasot'),
        'LTR_TRACKINGNET_DIR': os.path.join(r, 'trackingnet'),
        'LTR_COCO_DIR': os.path.join(r, 'coco'),
        'PYTRACKING_DEMO_PATH': r,
        'PYTRACKING_OTB_PATH': os.path.join(r, 'otb'),
        'PYTRACKING_GOT10K_PATH': os.path.join(r, 'got10k'),
        'PYTRACKING_LASOT_PATH': os.path.join(r, 'lasot'),
    }.items():
        monkeypatch.setenv(name, value)
    return r


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
