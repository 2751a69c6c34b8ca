"""run_dataset / run_sequence / Tracker with a trivial fake tracker: result files in pytracking's format,
skipping finished sequences, failure reporting, process pool, RGB frames and the entry script."""
import os
import subprocess
import sys

import numpy as np
import pytest

from evaltest_helpers import make_otb_like

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEQS = {'Alpha': (5, 6, 10, 12), 'Beta': (3, 4, 8, 9), 'Gamma': (7, 7, 13, 11)}


def _expected_boxes(first_box, n_frames, step=(0.7, 0.4)):
    """What the fake tracker predicts, truncated to int like pytracking's result files."""
    x, y, w, h = first_box
    rows = [[x, y, w, h]] + [[x + step[0] * i, y + step[1] * i, w, h] for i in range(1, n_frames)]
    return np.array(rows).astype(int)


def _demo(pyt_env, n_frames=5):
    make_otb_like(str(pyt_env / 'demo' / 'otb'), SEQS, n_frames=n_frames)
    from pytracking.evaluation import get_dataset
    return get_dataset('demo')


def test_run_dataset_writes_pytracking_format_and_skips_done(pyt_env, fake_tracker):
    from pytracking.evaluation import Tracker
    from pytracking.evaluation.running import run_dataset
    dataset = _demo(pyt_env)
    tracker = Tracker('faketrk', 'default', 3)
    assert tracker.results_dir == '{}/faketrk/default_003'.format(pyt_env / 'results')

    assert run_dataset(dataset, [tracker], threads=0) == []
    for name, box in SEQS.items():
        path = os.path.join(tracker.results_dir, name + '.txt')
        lines = open(path).read().splitlines()
        assert len(lines) == 5 and '\t' in lines[1]
        boxes = np.array([[int(v) for v in line.split('\t')] for line in lines])
        np.testing.assert_array_equal(boxes, _expected_boxes(box, 5))
        times = np.loadtxt(os.path.join(tracker.results_dir, name + '_time.txt'))
        assert times.shape == (5,) and (times >= 0).all()
        assert np.loadtxt(os.path.join(tracker.results_dir, name + '_object_presence_scores.txt')).tolist() == 1.0
    assert fake_tracker.calls['initialize'] == 3

    # Second run: everything is done, nothing is tracked again.
    assert run_dataset(dataset, [tracker], threads=0) == []
    assert fake_tracker.calls['initialize'] == 3


def test_failure_is_reported_and_others_still_run(pyt_env, fake_tracker, monkeypatch, capsys):
    from pytracking.evaluation import Tracker
    from pytracking.evaluation.running import run_dataset
    dataset = _demo(pyt_env)
    monkeypatch.setenv('FAKE_TRACKER_FAIL_WIDTH', '8')  # Beta's box has width 8
    tracker = Tracker('faketrk', 'default')
    failures = run_dataset(dataset, [tracker])
    assert [f.sequence for f in failures] == ['Beta']
    assert 'fake tracker failure on purpose' in failures[0].error and 'Traceback' in failures[0].error
    out = capsys.readouterr().out
    assert 'FAILED' in out and 'Beta' in out
    assert not os.path.exists(os.path.join(tracker.results_dir, 'Beta.txt'))
    assert os.path.exists(os.path.join(tracker.results_dir, 'Gamma.txt'))


def test_process_pool(pyt_env, fake_tracker, monkeypatch):
    from pytracking.evaluation import Tracker, running
    monkeypatch.setattr(running, 'START_METHOD', 'fork')  # fork keeps the fake tracker registered in workers
    dataset = _demo(pyt_env)
    trackers = [Tracker('faketrk', 'default', 0), Tracker('faketrk', 'default', 1)]
    assert running.run_dataset(dataset, trackers, threads=2) == []
    for t in trackers:
        for name, box in SEQS.items():
            np.testing.assert_array_equal(np.loadtxt(os.path.join(t.results_dir, name + '.txt'), delimiter='\t'),
                                          _expected_boxes(box, 5))


def test_frames_are_rgb_and_output_keys(pyt_env, fake_tracker):
    from pytracking.evaluation import Tracker
    dataset = _demo(pyt_env, n_frames=3)
    # make_otb_like writes pure red (RGB 255,0,0) frames
    out = Tracker('faketrk', 'default').run_sequence(dataset['Alpha'])
    img = fake_tracker.last_images[0]
    assert img.shape == (24, 32, 3) and img[0, 0, 0] > 200 and img[0, 0, 2] < 50
    assert len(out['target_bbox']) == 3 and out['target_bbox'][0] == [5.0, 6.0, 10.0, 12.0]
    assert len(out['time']) == 3 and out['object_presence_score'] == [1.0]
    assert out['image_shape'] == (24, 32) and out['object_presence_score_threshold'] == 0.55


def test_video_headless_rgb_and_saved(pyt_env, fake_tracker, monkeypatch):
    import cv2

    from pytracking.evaluation import Tracker
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    video = str(pyt_env / 'clip.avi')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'MJPG'), 10, (32, 24))
    for _ in range(4):
        frame = np.zeros((24, 32, 3), np.uint8)
        frame[:] = (255, 0, 0)  # BGR blue
        writer.write(frame)
    writer.release()
    tracker = Tracker('faketrk', 'default')
    boxes = tracker.run_video_generic(videofilepath=video, optional_box=[2, 3, 10, 8], save_results=True)
    assert len(boxes) == 4
    img = fake_tracker.last_images[0]
    assert img[0, 0, 2] > 200 and img[0, 0, 0] < 50  # blue in RGB order
    saved = np.loadtxt(os.path.join(tracker.results_dir, 'video_clip_1.txt'), delimiter='\t')
    np.testing.assert_array_equal(saved, _expected_boxes((2, 3, 10, 8), 4))
    with pytest.raises(RuntimeError, match='display'):
        tracker.run_video_generic(videofilepath=video)  # no box and no display
    with pytest.raises(RuntimeError, match='display'):
        tracker.run_webcam()


def test_str2bool():
    import argparse

    from pytracking.evaluation.cli_utils import str2bool
    assert str2bool('False') is False and str2bool('true') is True and str2bool('0') is False
    with pytest.raises(argparse.ArgumentTypeError):
        str2bool('maybe')


_SCRIPT = r'''
import sys, os
sys.path.insert(0, {repo!r}); sys.path.insert(0, {here!r})
import evaltest_fake_tracker; evaltest_fake_tracker.register()
sys.argv = ['run_tracker.py', 'faketrk', 'default', '--dataset', 'demo', '--use_visdom', 'false']
from pytracking import run_tracker
run_tracker.main()
'''


def _run_script(env_extra, pyt_env):
    env = dict(os.environ)
    env.update({'PYTRACKING_RESULTS_PATH': str(pyt_env / 'results'), 'PYTRACKING_DEMO_PATH': str(pyt_env / 'demo')})
    env.update(env_extra)
    code = _SCRIPT.format(repo=REPO, here=os.path.dirname(os.path.abspath(__file__)))
    return subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, timeout=120)


def test_script_exit_code_on_failure(pyt_env):
    _demo(pyt_env)
    res = _run_script({'FAKE_TRACKER_FAIL_WIDTH': '13'}, pyt_env)  # Gamma fails
    assert res.returncode == 1, res.stdout + res.stderr
    assert 'Gamma' in res.stdout and '1 failed' in res.stdout
    res = _run_script({}, pyt_env)  # rerun: only Gamma is tracked
    assert res.returncode == 0, res.stdout + res.stderr
    assert '1 run, 2 skipped' in res.stdout


def test_killed_run_restarts_and_never_reuses_truncated_file(pyt_env):
    _demo(pyt_env)
    results_dir = pyt_env / 'results' / 'faketrk' / 'default'
    # A truncated box file such as a killed pytracking run leaves behind (2 of 5 rows): must not count as done.
    os.makedirs(results_dir)
    (results_dir / 'Gamma.txt').write_text('7\t7\t13\t11\n7\t7\t')
    # Killed while tracking the second sequence.
    res = _run_script({'FAKE_TRACKER_EXIT_ON_INIT': '2'}, pyt_env)
    assert res.returncode == 17
    assert (results_dir / 'Alpha.txt').exists() and not (results_dir / 'Beta.txt').exists()
    alpha_mtime = os.path.getmtime(results_dir / 'Alpha.txt')
    assert not [f for f in os.listdir(results_dir) if f.endswith('.tmp')]

    res = _run_script({}, pyt_env)
    assert res.returncode == 0, res.stdout + res.stderr
    assert '2 run, 1 skipped' in res.stdout  # Beta and the truncated Gamma rerun; Alpha reused
    assert os.path.getmtime(results_dir / 'Alpha.txt') == alpha_mtime
    for name, box in SEQS.items():
        np.testing.assert_array_equal(np.loadtxt(results_dir / (name + '.txt'), delimiter='\t'),
                                      _expected_boxes(box, 5))


def test_killed_while_writing_leaves_no_partial_file(pyt_env, fake_tracker, monkeypatch):
    """Simulate a crash in the middle of writing the box file: the target file must not appear."""
    from pytracking.evaluation import Tracker, running
    dataset = _demo(pyt_env)
    real_savetxt = np.savetxt

    def dying_savetxt(f, arr, **kw):
        if kw.get('fmt') == '%d':
            f.write(b'5\t6\t')  # partial row
            raise KeyboardInterrupt  # like a kill signal arriving mid-write
        return real_savetxt(f, arr, **kw)

    monkeypatch.setattr(np, 'savetxt', dying_savetxt)
    tracker = Tracker('faketrk', 'default')
    with pytest.raises(KeyboardInterrupt):
        running.run_sequence(dataset['Alpha'], tracker)
    files = os.listdir(tracker.results_dir)
    assert 'Alpha.txt' not in files and not [f for f in files if f.endswith('.tmp')]
    monkeypatch.setattr(np, 'savetxt', real_savetxt)
    assert running.run_sequence(dataset['Alpha'], tracker).status == 'done'
