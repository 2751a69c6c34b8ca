"""LTRTrainer / BaseTrainer on a tiny deterministic regression problem."""
import glob
import os
import subprocess
import sys

import pytest
import torch

import toy_training
from ltr.admin.loading import torch_load_legacy
from ltr.admin.stats import AverageMeter

torch.set_num_threads(1)
TOY_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'toy_training.py')


def _ckpts(ws):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(ws, 'checkpoints', 'ltr', 'toy', 'run', '*')))


def test_checkpoints_names_content_and_safe_loading(tmp_path, capsys):
    ws = str(tmp_path)
    trainer = toy_training.make_trainer(ws)
    trainer.train(3)
    assert _ckpts(ws) == ['ToyNet_ep0001.pth.tar', 'ToyNet_ep0002.pth.tar', 'ToyNet_ep0003.pth.tar']
    ckpt = torch_load_legacy(os.path.join(ws, 'checkpoints/ltr/toy/run/ToyNet_ep0003.pth.tar'))   # weights_only
    assert set(ckpt) == {'epoch', 'actor_type', 'net_type', 'net', 'net_info', 'constructor', 'optimizer',
                         'stats', 'settings'}
    assert ckpt['epoch'] == 3 and ckpt['actor_type'] == 'ToyActor' and ckpt['net_type'] == 'ToyNet'
    assert ckpt['settings']['project_path'] == 'ltr/toy/run' and ckpt['settings']['some_dict'] == {'train': 0.5}
    assert isinstance(ckpt['stats']['train']['Loss/total'], AverageMeter)
    assert len(ckpt['stats']['train']['Loss/total'].history) == 3
    assert len(ckpt['stats']['val']['Loss/total'].history) == 1     # val only at epoch 2 (epoch_interval=2)
    out = capsys.readouterr().out
    # pytracking's console line: '[train: 1, 1 / 3] FPS: x (y)  ,  Loss/total: 0.12345  ,  Loss/mse: 0.12345'
    lines = [l for l in out.splitlines() if l.startswith('[train: 3, 3 / 3] FPS: ')]
    assert len(lines) == 1 and '  ,  Loss/total: ' in lines[0] and lines[0].count('  ,  ') == 2
    assert '[val: 2, 2 / 2]' in out and '[val: 1,' not in out and '[val: 3,' not in out
    assert 'Finished training!' in out


def test_loss_decreases_and_lr_schedule(tmp_path):
    trainer = toy_training.make_trainer(str(tmp_path))
    trainer.train(4)
    hist = trainer.stats['train']['Loss/total'].history
    assert hist[-1] < 0.5 * hist[0]
    # StepLR(2, 0.5) from 0.05: epochs 1-2 at 0.05, 3-4 at 0.025; after 4 steps the lr is 0.0125.
    assert trainer.optimizer.param_groups[0]['lr'] == pytest.approx(0.0125)
    # pytracking logs get_lr() after the epoch (before step): at epoch 3 (last_epoch 2) StepLR's chainable
    # get_lr already shows lr*gamma = 0.0125, the quirk the inventory documents.
    assert trainer.stats['train']['LearningRate/group0'].history == pytest.approx([0.05, 0.05, 0.0125, 0.025])


def test_tensorboard_events(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    ws = str(tmp_path)
    trainer = toy_training.make_trainer(ws)
    trainer.train(2)
    trainer.tensorboard_writer.close()
    acc = EventAccumulator(os.path.join(ws, 'tensorboard', 'ltr/toy/run', 'train')).Reload()
    events = acc.Scalars('Loss/total')
    assert [e.step for e in events] == [1, 2]
    assert events[0].value == pytest.approx(trainer.stats['train']['Loss/total'].history[0])
    val = EventAccumulator(os.path.join(ws, 'tensorboard', 'ltr/toy/run', 'val')).Reload()
    assert [e.step for e in val.Scalars('Loss/total')] == [2]
    info = EventAccumulator(os.path.join(ws, 'tensorboard', 'ltr/toy/run', 'info')).Reload()
    assert 'Description' in ''.join(info.Tags()['tensors'])


def test_fail_safe_restarts_from_last_checkpoint(tmp_path, capsys):
    calls = {'n': 0}

    class FlakyActor(toy_training.ToyActor):
        def __call__(self, data):
            calls['n'] += 1
            if calls['n'] == 5:     # second epoch, second batch
                raise RuntimeError('simulated crash')
            return super().__call__(data)

    trainer = toy_training.make_trainer(str(tmp_path), actor_cls=FlakyActor)
    trainer.train(3, fail_safe=True)
    out = capsys.readouterr().out
    assert 'Training crashed at epoch 2' in out and 'Restarting training from last epoch' in out
    assert trainer.epoch == 3 and len(_ckpts(str(tmp_path))) == 3

    calls['n'] = 0
    trainer = toy_training.make_trainer(str(tmp_path / 'b'), actor_cls=FlakyActor)
    with pytest.raises(RuntimeError, match='simulated crash'):
        trainer.train(3, fail_safe=False)


def test_keyboard_interrupt_is_not_retried(tmp_path):
    class InterruptedActor(toy_training.ToyActor):
        def __call__(self, data):
            raise KeyboardInterrupt

    trainer = toy_training.make_trainer(str(tmp_path), actor_cls=InterruptedActor)
    with pytest.raises(KeyboardInterrupt):
        trainer.train(2, fail_safe=True)


def test_load_checkpoint_by_epoch_fields_and_errors(tmp_path):
    ws = str(tmp_path)
    toy_training.make_trainer(ws).train(2)
    t = toy_training.make_trainer(ws)
    assert t.load_checkpoint(1) is True and t.epoch == 1
    assert t.lr_scheduler.last_epoch == 1
    t2 = toy_training.make_trainer(ws)
    t2.load_checkpoint(fields=['net'])
    assert t2.epoch == 0                       # only the weights were restored
    ref = torch_load_legacy(os.path.join(ws, 'checkpoints/ltr/toy/run/ToyNet_ep0002.pth.tar'))['net']
    assert torch.equal(t2.actor.net.head.weight, ref['head.weight'])
    t3 = toy_training.make_trainer(ws)
    t3.load_checkpoint(ignore_fields=['net'])
    assert t3.epoch == 2 and not torch.equal(t3.actor.net.head.weight, ref['head.weight'])
    with pytest.raises(FileNotFoundError):
        toy_training.make_trainer(ws).load_checkpoint(str(tmp_path / 'nothing-here'))
    assert toy_training.make_trainer(str(tmp_path / 'empty')).load_checkpoint() is None


def test_freeze_backbone_bn_layers(tmp_path):
    trainer = toy_training.make_trainer(str(tmp_path), freeze_bn=True)
    bn = trainer.actor.net.feature_extractor[1]
    before = bn.running_mean.clone()
    trainer.train(1)
    assert torch.equal(bn.running_mean, before)          # BN kept in eval mode: stats untouched
    trainer = toy_training.make_trainer(str(tmp_path / 'b'), freeze_bn=False)
    trainer.train(1)
    assert not torch.equal(trainer.actor.net.feature_extractor[1].running_mean, before)


def test_resume_after_kill_matches_uninterrupted_run(tmp_path):
    ws_ref, ws_kill = str(tmp_path / 'ref'), str(tmp_path / 'kill')
    env = dict(os.environ, OMP_NUM_THREADS='1')
    subprocess.run([sys.executable, TOY_SCRIPT, ws_ref, '5'], check=True, env=env, capture_output=True)
    killed = subprocess.run([sys.executable, TOY_SCRIPT, ws_kill, '5', '4'], env=env, capture_output=True)
    assert killed.returncode == -9                          # SIGKILL in the middle of epoch 4
    assert _ckpts(ws_kill) == ['ToyNet_ep0001.pth.tar', 'ToyNet_ep0002.pth.tar', 'ToyNet_ep0003.pth.tar']
    subprocess.run([sys.executable, TOY_SCRIPT, ws_kill, '5'], check=True, env=env, capture_output=True)
    assert _ckpts(ws_kill) == _ckpts(ws_ref)

    ref = torch_load_legacy(os.path.join(ws_ref, 'checkpoints/ltr/toy/run/ToyNet_ep0005.pth.tar'))
    got = torch_load_legacy(os.path.join(ws_kill, 'checkpoints/ltr/toy/run/ToyNet_ep0005.pth.tar'))
    assert got['epoch'] == 5
    for k in ref['net']:
        torch.testing.assert_close(got['net'][k], ref['net'][k])
    assert got['optimizer']['param_groups'][0]['lr'] == pytest.approx(0.05 * 0.5 ** 2)   # StepLR(2, 0.5), 5 steps
    assert got['optimizer']['param_groups'] == ref['optimizer']['param_groups']
    for pid, st in ref['optimizer']['state'].items():
        for name, v in st.items():
            torch.testing.assert_close(got['optimizer']['state'][pid][name], v)
    for loader in ('train', 'val'):
        for name, meter in ref['stats'][loader].items():
            assert got['stats'][loader][name].history == pytest.approx(meter.history), (loader, name)
