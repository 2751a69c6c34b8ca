"""Shared pytest fixtures.

`demo_data_root`: the embedded demo datasets (`ltr.dataset.demo_data`), generated once per test session into a
temporary folder (about 3 s). Layout: got10k/{train,val}, lasot, trackingnet, coco, otb (+ otb/sequences.json),
demo_manifest.json.

`demo_env`: points the ltr / pytracking environment variables (LTR_*_DIR, PYTRACKING_*_PATH) at that folder for
one test.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


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
