"""Evaluation faults: pytracking/run_tracker.py SIGKILLed in the middle of a dataset and restarted completes only
the missing sequences; truncated or garbled result files are recomputed by the runner and refused (named) by the
analysis, never scored silently.

(The runner's skipping of complete files and never reusing a truncated one, and a crash while writing, are also
tested in tests/evaluation/test_eval_running.py.)"""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from faults_helpers import REPO

EVAL_TESTS = os.path.join(REPO, 'tests', 'evaluation')
SEQS = {'Alpha': (5, 6, 10, 12), 'Beta': (3, 4, 8, 9), 'Gamma': (7, 7, 13, 11), 'Delta': (2, 3, 9, 9)}

# run_tracker.py on the demo dataset with the fake tracker of tests/evaluation, slowed down to 0.2 s per frame so
# the parent can kill it after the first sequence.
_SCRIPT = r'''
import sys, time
sys.path.insert(0, {repo!r}); sys.path.insert(0, {here!r})
import evaltest_fake_tracker as ft
ft.register()
track = ft.FakeTracker.track
ft.FakeTracker.track = lambda self, image, info=None: (time.sleep({delay}), track(self, image, info))[1]
sys.argv = ['run_tracker.py', 'faketrk', 'default', '--dataset', 'demo', '--use_visdom', 'false']
from pytracking import run_tracker
run_tracker.main()
'''


def _env(tmp_path):
    env = dict(os.environ, PYTRACKING_RESULTS_PATH=str(tmp_path / 'results'),
               PYTRACKING_DEMO_PATH=str(tmp_path / 'demo'), OMP_NUM_THREADS='1')
    return env


def _start(tmp_path, delay):
    code = _SCRIPT.format(repo=REPO, here=EVAL_TESTS, delay=delay)
    return subprocess.Popen([sys.executable, '-c', code], env=_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.fixture
def demo(tmp_path):
    from evaltest_helpers import make_otb_like
    make_otb_like(str(tmp_path / 'demo' / 'otb'), SEQS, n_frames=5)
    return tmp_path / 'results' / 'faketrk' / 'default'


def test_sigkill_mid_dataset_then_restart_runs_only_the_missing_sequences(tmp_path, demo):
    proc = _start(tmp_path, delay=0.2)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not (demo.is_dir() and [f for f in os.listdir(demo) if f[:-4] in SEQS]):
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)      # in the middle of the second sequence
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    done = sorted(f[:-4] for f in os.listdir(demo) if f[:-4] in SEQS and f.endswith('.txt'))
    assert 1 <= len(done) < len(SEQS), done
    # Nothing half-written under a result name. (A SIGKILL during a write can leave the writer's hidden temp file
    # `.<name>.XXXX.tmp` behind: no cleanup code runs on SIGKILL; it is never read as a result.)
    for name in done:
        assert np.loadtxt(demo / (name + '.txt'), delimiter='\t').shape == (5, 4)
    kept = {name: (os.path.getmtime(demo / (name + '.txt')), (demo / (name + '.txt')).read_text()) for name in done}

    proc = _start(tmp_path, delay=0)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    assert '{} run, {} skipped'.format(len(SEQS) - len(done), len(done)) in out
    for name, (mtime, text) in kept.items():      # the finished sequences were not redone
        assert os.path.getmtime(demo / (name + '.txt')) == mtime and (demo / (name + '.txt')).read_text() == text
    for name, (x, y, w, h) in SEQS.items():
        boxes = np.loadtxt(demo / (name + '.txt'), delimiter='\t')
        assert boxes.shape == (5, 4) and list(boxes[0]) == [x, y, w, h]


@pytest.mark.parametrize('content, message', [
    ('5\t6\t10\t12\n5\t6\t10\t12\n', 'has 2 boxes for the 5 frames of sequence Alpha: truncated'),
    ('5\t6\t10\t12\n5\t6\t', 'damaged|delimiters'),
    ('\x00\x00garbage\n', 'damaged|delimiters'),
    ('', 'damaged'),
    ('5\t6\t10\n' * 5, 'damaged'),
    ('5\t6\t10\t12\n' * 4 + 'nan\t6\t10\t12\n', 'NaN'),
])
def test_analysis_refuses_a_damaged_result_file_naming_it(tmp_path, demo, content, message, monkeypatch):
    monkeypatch.setenv('PYTRACKING_RESULTS_PATH', str(tmp_path / 'results'))
    monkeypatch.setenv('PYTRACKING_RESULT_PLOT_PATH', str(tmp_path / 'plots'))
    monkeypatch.setenv('PYTRACKING_DEMO_PATH', str(tmp_path / 'demo'))
    from pytracking.analysis.extract_results import extract_results
    from pytracking.evaluation import Tracker, get_dataset
    demo.mkdir(parents=True)
    dataset = get_dataset('demo')
    for seq in dataset:
        np.savetxt(demo / (seq.name + '.txt'), np.asarray(seq.ground_truth_rect, int), delimiter='\t', fmt='%d')
    (demo / 'Alpha.txt').write_text(content)
    with pytest.raises(ValueError, match=message) as err:
        extract_results([Tracker('faketrk', 'default')], dataset, 'report', verbose=False)
    assert 'Alpha.txt' in str(err.value)


def test_analysis_scores_a_short_file_only_when_asked(tmp_path, demo, monkeypatch):
    monkeypatch.setenv('PYTRACKING_RESULTS_PATH', str(tmp_path / 'results'))
    monkeypatch.setenv('PYTRACKING_RESULT_PLOT_PATH', str(tmp_path / 'plots'))
    monkeypatch.setenv('PYTRACKING_DEMO_PATH', str(tmp_path / 'demo'))
    from pytracking.analysis.extract_results import extract_results
    from pytracking.evaluation import Tracker, get_dataset
    demo.mkdir(parents=True)
    dataset = get_dataset('demo')
    for seq in dataset:
        np.savetxt(demo / (seq.name + '.txt'), np.asarray(seq.ground_truth_rect, int)[:3], delimiter='\t', fmt='%d')
    out = extract_results([Tracker('faketrk', 'default')], dataset, 'report', verbose=False,
                          allow_short_results=True)
    assert float(np.mean(out['avg_overlap_all'])) == pytest.approx(3 / 5)   # 3 exact boxes, 2 empty ones
