"""Entry scripts given bad names or files: one clear line on stderr (`Error: ...`), a non-zero exit, no traceback
unless --debug. Each case is a real subprocess (the scripts as a user runs them)."""
import os
import subprocess
import sys

import pytest

from faults_helpers import REPO


@pytest.fixture(scope='module')
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp('cli')
    from evaltest_helpers import make_otb_like
    make_otb_like(str(root / 'demo' / 'otb'), {'Alpha': (5, 6, 10, 12), 'Beta': (3, 4, 8, 9)}, n_frames=3)
    (root / 'garbage.mp4').write_bytes(bytes(range(256)) * 8)
    os.makedirs(root / 'nets')
    e = dict(os.environ, PYTRACKING_RESULTS_PATH=str(root / 'results'), PYTRACKING_DEMO_PATH=str(root / 'demo'),
             PYTRACKING_NETWORK_PATH=str(root / 'nets'), LTR_WORKSPACE_DIR=str(root / 'ws'), OMP_NUM_THREADS='1')
    e.pop('DISPLAY', None)
    return root, e


def _run(env, *args):
    """The script in a fresh Python process, as a user runs it."""
    root, e = env
    args = [a.format(root=root) for a in args]
    return subprocess.run([sys.executable] + args, cwd=REPO, env=e, capture_output=True, text=True, timeout=120)


def _run_here(env, monkeypatch, capsys, *args):
    """The script's __main__ in this process (fast: torch is imported once), with the same argv and environment.
    An exception escaping the script fails the test with its traceback."""
    import runpy
    import types
    root, e = env
    args = [a.format(root=root) for a in args]
    for k, v in e.items():
        if k.startswith(('PYTRACKING_', 'LTR_')):
            monkeypatch.setenv(k, v)
    monkeypatch.setattr(sys, 'argv', args)
    monkeypatch.setattr(sys, 'path', list(sys.path))
    code = 0
    try:
        runpy.run_path(os.path.join(REPO, args[0]), run_name='__main__')
    except SystemExit as exit_:
        code = exit_.code
    out = capsys.readouterr()
    err = out.err
    if isinstance(code, str):    # what Python does with SystemExit('message'): print it on stderr, status 1
        err, code = err + code + '\n', 1
    return types.SimpleNamespace(returncode=code, stdout=out.out, stderr=err)


CASES = [
    (['pytracking/run_tracker.py', 'nosuch', 'default', '--dataset', 'demo'], "Unknown tracker 'nosuch'"),
    (['pytracking/run_tracker.py', 'atom', 'nosuchparam', '--dataset', 'demo'],
     "Unknown parameter setting 'nosuchparam'"),
    (['pytracking/run_tracker.py', 'firstbox', 'default', '--dataset', 'nosuchds'], "Unknown dataset 'nosuchds'"),
    (['pytracking/run_tracker.py', 'firstbox', 'default', '--dataset', 'demo', '--sequence', 'NoSuchSeq'],
     "'NoSuchSeq' not in the dataset"),
    (['pytracking/run_tracker.py', 'firstbox', 'default', '--dataset', 'demo', '--sequence', '7'],
     'Sequence number 7 is out of range'),
    (['pytracking/run_video.py', 'firstbox', 'default', '{root}/nosuch.mp4', '--optional_box', '1', '2', '3', '4'],
     'nosuch.mp4 does not exist'),
    (['pytracking/run_video.py', 'firstbox', 'default', '{root}/garbage.mp4', '--optional_box', '1', '2', '3', '4'],
     'could not open video file .*garbage.mp4'),
    (['pytracking/run_video.py', 'nosuch', 'default', '{root}/garbage.mp4'], "Unknown tracker 'nosuch'"),
    (['pytracking/run_webcam.py', 'nosuch', 'default'], "Unknown tracker 'nosuch'"),
    (['pytracking/run_experiment.py', 'nosuch', 'exp'], "Unknown experiment module 'nosuch'"),
    (['ltr/run_training.py', 'nosuch', 'nosuch'], 'No train setting ltr.train_settings.nosuch.nosuch'),
    (['ltr/run_training.py', 'bbreg', 'nosuch'], 'No train setting ltr.train_settings.bbreg.nosuch'),
]


@pytest.mark.parametrize('args, message', CASES, ids=[' '.join(a[:2] + a[2:4]) for a, _ in CASES])
def test_bad_name_or_file_gives_one_clear_line(env, args, message, monkeypatch, capsys):
    import re
    res = _run_here(env, monkeypatch, capsys, *args)
    assert res.returncode != 0
    assert 'Traceback' not in res.stderr + res.stdout, res.stderr
    lines = [line for line in res.stderr.splitlines() if re.search(message, line)]
    assert len(lines) == 1, res.stderr + res.stdout


@pytest.mark.parametrize('args', [CASES[0][0], CASES[-1][0]], ids=['run_tracker', 'run_training'])
def test_real_process_exit_status_and_stderr(env, args):
    res = _run(env, *args)
    assert res.returncode != 0 and res.stderr.strip() and 'Traceback' not in res.stderr


def test_debug_shows_the_traceback(env):
    res = _run(env, 'pytracking/run_tracker.py', 'nosuch', 'default', '--dataset', 'demo', '--debug', '1')
    assert res.returncode != 0 and 'Traceback' in res.stderr and "Unknown tracker 'nosuch'" in res.stderr


def test_missing_network_is_named_and_fails(env, monkeypatch, capsys):
    """Every sequence fails on the missing network: the summary names the file, the exit status is 1."""
    res = _run_here(env, monkeypatch, capsys, 'pytracking/run_tracker.py', 'atom', 'default', '--dataset', 'demo',
                    '--sequence', 'Alpha')
    assert res.returncode == 1
    assert 'Traceback' not in res.stderr + res.stdout
    assert 'FAILED' in res.stdout and 'atom_default.pth: no such file or directory' in res.stdout
