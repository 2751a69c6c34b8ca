"""`python ltr/run_training.py bbreg atom_demo` end to end on the embedded demo data (shrunk to a few steps)."""
import glob
import os
import re
import subprocess
import sys

import pytest
import torch

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope='module')
def demo_run(demo_data_root, tmp_path_factory):
    ws = str(tmp_path_factory.mktemp('atom_demo_ws'))
    env = dict(os.environ, OMP_NUM_THREADS='2', LTR_WORKSPACE_DIR=ws, LTR_TENSORBOARD_DIR=os.path.join(ws, 'tb'),
               LTR_DEMO_DIR=demo_data_root, ATOM_DEMO_EPOCHS='2', ATOM_DEMO_ITERATIONS='2',
               ATOM_DEMO_VAL_SAMPLES='8', ATOM_DEMO_BATCH_SIZE='4')
    proc = subprocess.run([sys.executable, 'ltr/run_training.py', 'bbreg', 'atom_demo', '--seed', '0'],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return ws, proc.stdout


def test_writes_checkpoints_that_load_with_load_network(demo_run):
    from ltr.admin.loading import load_network
    ws, _ = demo_run
    ckpt_dir = os.path.join(ws, 'checkpoints', 'ltr', 'bbreg', 'atom_demo')
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ckpt_dir, '*')))
    assert names == ['ATOMnet_ep0001.pth.tar', 'ATOMnet_ep0002.pth.tar']
    net, ckpt = load_network(ckpt_dir)       # safe loading, strict state dict
    assert type(net).__name__ == 'ATOMnet' and ckpt['epoch'] == 2
    assert ckpt['constructor'].fun_name == 'atom_mobilenetv2'
    # The frozen ImageNet backbone is saved unchanged (its BN statistics did not drift during training).
    from ltr.models.backbone.mobilenet import mobilenetv2
    ref = mobilenetv2(pretrained=True).features.state_dict()
    for k, v in ref.items():
        assert torch.equal(net.feature_extractor.features.state_dict()[k], v), k
    assert ckpt['settings']['script_name'] == 'atom_demo' and ckpt['settings']['batch_size'] == 4


def test_writes_tensorboard_events(demo_run):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    ws, _ = demo_run
    tb = os.path.join(ws, 'tb', 'ltr', 'bbreg', 'atom_demo')
    train = EventAccumulator(os.path.join(tb, 'train')).Reload()
    assert [e.step for e in train.Scalars('Loss/iou')] == [1, 2]
    assert [e.step for e in train.Scalars('LearningRate/group0')] == [1, 2]
    val = EventAccumulator(os.path.join(tb, 'val')).Reload()
    assert [e.step for e in val.Scalars('Loss/iou')] == [0, 1, 2]       # step 0: the untrained network


def test_val_loss_after_training_is_below_untrained(demo_run):
    _, out = demo_run
    untrained = float(re.search(r'Untrained network: val Loss/iou = ([0-9.]+)', out).group(1))
    trained = float(re.search(r'Trained network \(2 epochs\): val Loss/iou = ([0-9.]+)', out).group(1))
    assert trained < untrained


def test_dataset_weights_knob(monkeypatch):
    from types import SimpleNamespace

    from ltr.train_settings.bbreg.atom_demo import _dataset_weights
    monkeypatch.delenv('ATOM_DEMO_DATASET_WEIGHTS', raising=False)
    assert _dataset_weights(SimpleNamespace()) == [1, 1, 1, 1]           # atom.py's weights
    monkeypatch.setenv('ATOM_DEMO_DATASET_WEIGHTS', '1,3,1,3')
    s = SimpleNamespace()
    assert _dataset_weights(s) == [1, 3, 1, 3] and s.dataset_weights == [1, 3, 1, 3]
    assert _dataset_weights(SimpleNamespace(dataset_weights=[2, 0, 0, 1])) == [2, 0, 0, 1]   # settings win
    for bad in ('1,2,3', '1,x,1,1', '0,0,0,0', '1,-1,1,1'):
        monkeypatch.setenv('ATOM_DEMO_DATASET_WEIGHTS', bad)
        with pytest.raises(ValueError, match='ATOM_DEMO_DATASET_WEIGHTS'):
            _dataset_weights(SimpleNamespace())
