"""ltr/run_training.py: CLI parsing, device fallback, and the clear error for unset dataset paths."""
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
import torch

import ltr.run_training as rt

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize('text, value', [('False', False), ('0', False), ('no', False), ('True', True),
                                         ('1', True), ('yes', True)])
def test_cudnn_benchmark_is_parsed_as_a_bool(monkeypatch, text, value):
    # pytracking's type=bool made '--cudnn_benchmark False' True.
    seen = {}
    monkeypatch.setattr(rt, 'run_training', lambda m, n, cudnn, seed: seen.update(m=m, n=n, cudnn=cudnn, seed=seed))
    monkeypatch.setattr(sys, 'argv', ['run_training.py', 'bbreg', 'atom', '--cudnn_benchmark', text, '--seed', '3'])
    rt.main()
    assert seen == {'m': 'bbreg', 'n': 'atom', 'cudnn': value, 'seed': 3}


def test_bad_bool_is_rejected(monkeypatch, capsys):
    monkeypatch.setattr(sys, 'argv', ['run_training.py', 'bbreg', 'atom', '--cudnn_benchmark', 'maybe'])
    with pytest.raises(SystemExit):
        rt.main()
    assert 'expected a boolean' in capsys.readouterr().err


def test_device_falls_back_to_cpu_with_a_message(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)   # the CPU fallback, also on a GPU machine
    settings = SimpleNamespace(use_gpu=True)
    rt.select_device(settings)
    assert settings.use_gpu is False and settings.device == torch.device('cpu')
    assert 'No CUDA device' in capsys.readouterr().out


def test_atom_with_unset_dataset_paths_gives_a_clear_message(tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS='1', LTR_WORKSPACE_DIR=str(tmp_path), LTR_LASOT_DIR='',
               LTR_GOT10K_DIR='', LTR_TRACKINGNET_DIR='', LTR_COCO_DIR=str(tmp_path / 'missing'))
    proc = subprocess.run([sys.executable, 'ltr/run_training.py', 'bbreg', 'atom'], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert 'Traceback' not in proc.stderr and 'Traceback' not in proc.stdout
    for name in ('lasot_dir', 'got10k_dir', 'trackingnet_dir'):
        assert 'settings.env.{} is not set'.format(name) in proc.stderr
    assert 'settings.env.coco_dir' in proc.stderr and 'is not a directory' in proc.stderr
    assert not os.path.exists(tmp_path / 'checkpoints' / 'ltr' / 'bbreg' / 'atom')


def test_unknown_train_setting(monkeypatch):
    monkeypatch.setattr(rt, 'select_device', lambda s: None)
    with pytest.raises(SystemExit, match='ltr/train_settings/bbreg/no_such_setting.py'):
        rt.run_training('bbreg', 'no_such_setting')
