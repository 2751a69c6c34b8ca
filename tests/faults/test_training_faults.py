"""Training faults on the toy training of tests/train/toy_training.py: a crash inside an epoch (fail_safe), a full
disk or an unwritable checkpoint path, a damaged newest checkpoint. Nothing finished may be lost.

SIGKILL in the middle of an epoch and restart with load_latest (epoch, network, optimizer, lr schedule and stats
equal to an uninterrupted run) is tested with a real kill in
tests/train/test_trainer.py::test_resume_after_kill_matches_uninterrupted_run."""
import errno
import glob
import os

import pytest
import torch

import toy_training
from ltr.admin.loading import DamagedCheckpointError, torch_load_legacy
from ltr.trainers.base_trainer import CheckpointSaveError


def _dir(ws):
    return os.path.join(ws, 'checkpoints', 'ltr', 'toy', 'run')


def _ckpts(ws):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(_dir(ws), '*')))


def _bytes(ws, name):
    with open(os.path.join(_dir(ws), name), 'rb') as f:
        return f.read()


def _assert_same_state(ws_a, ws_b, name):
    a, b = (torch_load_legacy(os.path.join(_dir(w), name)) for w in (ws_a, ws_b))
    assert a['epoch'] == b['epoch']
    for k in a['net']:
        torch.testing.assert_close(a['net'][k], b['net'][k])
    assert a['optimizer']['param_groups'] == b['optimizer']['param_groups']
    assert a['stats']['train']['Loss/total'].history == pytest.approx(b['stats']['train']['Loss/total'].history)


@pytest.fixture(scope='module')
def reference(tmp_path_factory, ):
    """An uninterrupted 4-epoch run."""
    torch.set_num_threads(1)
    ws = str(tmp_path_factory.mktemp('reference'))
    toy_training.make_trainer(ws).train(4)
    return ws


def test_fail_safe_retries_the_epoch_and_keeps_finished_ones(tmp_path, reference, capsys):
    calls = {'n': 0}

    class CrashOnceInEpoch3(toy_training.ToyActor):
        def __call__(self, data):
            calls['n'] += 1
            if calls['n'] == 3 * 3 + 2 * 1 - 1:     # epoch 3 (3 train batches/epoch, 2 val batches in epoch 2)
                raise RuntimeError('simulated crash inside epoch 3')
            return super().__call__(data)

    ws = str(tmp_path)
    trainer = toy_training.make_trainer(ws, actor_cls=CrashOnceInEpoch3)
    saved = {}
    original_save = trainer.save_checkpoint

    def save_and_remember():
        path = original_save()
        saved[os.path.basename(path)] = _bytes(ws, os.path.basename(path))
        return path

    trainer.save_checkpoint = save_and_remember
    trainer.train(4, fail_safe=True)
    out = capsys.readouterr().out
    assert 'Training crashed at epoch 3' in out and 'simulated crash inside epoch 3' in out
    assert trainer.epoch == 4 and _ckpts(ws) == _ckpts(reference)
    # The epochs finished before the crash were neither redone nor rewritten; the result is the uninterrupted one.
    assert list(saved) == ['ToyNet_ep0001.pth.tar', 'ToyNet_ep0002.pth.tar', 'ToyNet_ep0003.pth.tar',
                           'ToyNet_ep0004.pth.tar']
    for name, data in saved.items():
        assert _bytes(ws, name) == data
    _assert_same_state(ws, reference, 'ToyNet_ep0004.pth.tar')


def _full_disk_from_epoch(monkeypatch, epoch_holder, first_failing_epoch):
    """torch.save writes a few bytes, then fails with ENOSPC, from `first_failing_epoch` on (as a full disk)."""
    real_save = torch.save

    def save(obj, f, *args, **kwargs):
        if epoch_holder[0].epoch >= first_failing_epoch:
            f.write(b'PK\x03\x04partial')
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, 'save', save)


def test_full_disk_stops_with_a_clear_error_and_keeps_the_previous_checkpoint(tmp_path, reference, monkeypatch,
                                                                               capsys):
    ws = str(tmp_path)
    trainer = toy_training.make_trainer(ws)
    epochs_run = []
    original_epoch = trainer.train_epoch
    trainer.train_epoch = lambda: (epochs_run.append(trainer.epoch), original_epoch())[1]
    _full_disk_from_epoch(monkeypatch, [trainer], 3)
    with pytest.raises(CheckpointSaveError) as err:
        trainer.train(4, fail_safe=True)
    message = str(err.value)
    assert 'Could not save checkpoint' in message and 'ToyNet_ep0003.pth.tar' in message
    assert 'No space left on device' in message and 'ToyNet_ep0002.pth.tar is intact' in message
    assert err.value.errno == errno.ENOSPC
    assert epochs_run == [1, 2, 3]                 # stopped: no retry of an epoch that cannot be saved
    assert 'Training stopped at epoch 3' in capsys.readouterr().out
    # Nothing half-written, the previous checkpoints intact and equal to the uninterrupted run's.
    assert _ckpts(ws) == ['ToyNet_ep0001.pth.tar', 'ToyNet_ep0002.pth.tar']
    assert not [f for f in os.listdir(_dir(ws)) if f.endswith('.tmp')]
    _assert_same_state(ws, reference, 'ToyNet_ep0002.pth.tar')

    # Space freed: resuming gives the uninterrupted result.
    monkeypatch.undo()
    toy_training.make_trainer(ws).train(4, load_latest=True)
    _assert_same_state(ws, reference, 'ToyNet_ep0004.pth.tar')


def test_unwritable_checkpoint_path_stops_with_a_clear_error(tmp_path):
    """A real failure (no mock; chmod does not stop root): the checkpoint's path is taken by a directory."""
    ws = str(tmp_path)
    os.makedirs(os.path.join(_dir(ws), 'ToyNet_ep0002.pth.tar', 'occupied'))
    trainer = toy_training.make_trainer(ws)
    with pytest.raises(CheckpointSaveError, match='Could not save checkpoint .*ToyNet_ep0002.pth.tar.*'
                                                  'ToyNet_ep0001.pth.tar is intact'):
        trainer.train(3, fail_safe=True)
    assert trainer.epoch == 2
    assert torch_load_legacy(os.path.join(_dir(ws), 'ToyNet_ep0001.pth.tar'))['epoch'] == 1
    assert not [f for f in os.listdir(_dir(ws)) if f.endswith('.tmp')]


@pytest.mark.parametrize('damage', ['truncate', 'garbage', 'empty'])
def test_damaged_newest_checkpoint_resumes_from_the_one_before(tmp_path, reference, damage, capsys):
    ws = str(tmp_path)
    toy_training.make_trainer(ws).train(3)
    path = os.path.join(_dir(ws), 'ToyNet_ep0003.pth.tar')
    data = _bytes(ws, 'ToyNet_ep0003.pth.tar')
    with open(path, 'wb') as f:   # e.g. a copy cut short, or a disk error
        f.write({'truncate': data[:len(data) // 2], 'garbage': b'\x00garbage' * 50, 'empty': b''}[damage])
    with pytest.raises(DamagedCheckpointError, match='ToyNet_ep0003.pth.tar is damaged'):
        toy_training.make_trainer(ws).load_checkpoint(path)
    trainer = toy_training.make_trainer(ws)
    trainer.train(4, load_latest=True)
    out = capsys.readouterr().out
    assert 'ToyNet_ep0003.pth.tar is damaged' in out and 'resuming from the checkpoint before' in out
    assert _ckpts(ws) == _ckpts(reference)       # epoch 3 redone and rewritten
    _assert_same_state(ws, reference, 'ToyNet_ep0003.pth.tar')
    _assert_same_state(ws, reference, 'ToyNet_ep0004.pth.tar')


def test_unreadable_training_data_stops_without_retrying(tmp_path, capsys):
    """BadDataError (the sampler found nothing readable) is not retried by fail_safe: retrying cannot fix data."""
    from ltr.data.sampler import BadDataError
    calls = {'n': 0}

    class NoData(toy_training.ToyActor):
        def __call__(self, data):
            calls['n'] += 1
            raise BadDataError('none of the 3 sequences of dataset \'x\' can be read')

    trainer = toy_training.make_trainer(str(tmp_path), actor_cls=NoData)
    with pytest.raises(BadDataError):
        trainer.train(3, fail_safe=True)
    assert calls['n'] == 1 and 'Training stopped at epoch 1' in capsys.readouterr().out
