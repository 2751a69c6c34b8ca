"""Multi-process data-parallel training (torch.distributed, gloo on the CPU): 2 processes spawned on 127.0.0.1.

(1) one DDP step through LTRTrainer equals a single-process step on the concatenation of both ranks' batches;
(2) a 2-process LTRTrainer run writes one set of checkpoints (pytracking's keys, loadable) whose stats are the
mean over ranks, prints and logs on rank 0 only, and resumes on both ranks from the same checkpoint.
"""
import glob
import json
import os
import re
import socket
import sys
import time

import pytest
import torch
import torch.multiprocessing as mp
import torch.nn as nn

import toy_training
from ltr.admin import distributed
from ltr.admin.loading import load_network, torch_load_legacy
from ltr.admin.model_constructor import NetConstructor
from ltr.trainers import LTRTrainer
from pytracking.libs import TensorDict

WORLD = 2


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _run_workers(fn, *args, timeout=120):
    """Start WORLD processes running fn(rank, port, *args); fail (and kill them) if one fails or they hang."""
    port = _free_port()
    ctx = mp.spawn(fn, args=(port,) + args, nprocs=WORLD, join=False)
    deadline = time.time() + timeout
    try:
        while not ctx.join(timeout=1):
            if time.time() > deadline:
                raise AssertionError('distributed workers did not finish within {} s'.format(timeout))
    finally:
        for p in ctx.processes:
            if p.is_alive():
                p.kill()


def _init(rank, port):
    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(WORLD),
                      LOCAL_RANK=str(rank))
    assert distributed.init_distributed(backend='gloo', timeout_s=60)
    assert distributed.is_distributed() and distributed.get_rank() == rank and distributed.get_world_size() == WORLD


class OneBatchLoader:
    def __init__(self, name, training, x, y):
        self.name, self.training, self.epoch_interval, self.stack_dim = name, training, 1, 0
        self.x, self.y = x, y

    def __len__(self):
        return 1

    def __iter__(self):
        yield TensorDict({'train_images': self.x.clone(), 'target': self.y.clone()})


def _rank_batch(rank):
    g = torch.Generator().manual_seed(100 + rank)
    x = torch.randn(4, 3, generator=g)
    return x, x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3 + 0.1 * torch.randn(4, 1, generator=g)


def _tiny_net(seed):
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1))
    for p in net[0].parameters():       # a frozen "backbone", as in ATOM
        p.requires_grad_(False)
    return net


def _ddp_step_worker(rank, port, out_dir):
    _init(rank, port)
    try:
        net = _tiny_net(seed=rank)          # different init per rank: DDP must start from rank 0's weights
        actor = toy_training.ToyActor(net=net, objective=nn.MSELoss())
        optimizer = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=0.1, momentum=0.9)
        settings = toy_training.make_settings(os.path.join(out_dir, 'ws'))
        settings.env.workspace_dir = None               # no checkpoints
        trainer = LTRTrainer(actor, [OneBatchLoader('train', True, *_rank_batch(rank))], optimizer, settings)
        trainer.train(1)
        assert isinstance(trainer.actor.net, nn.parallel.DistributedDataParallel)
        torch.save(trainer._net().state_dict(), os.path.join(out_dir, 'rank{}.pt'.format(rank)))
    finally:
        distributed.cleanup()


def test_ddp_step_equals_single_process_step_on_concatenated_batch(tmp_path):
    _run_workers(_ddp_step_worker, str(tmp_path))

    # Independent expectation: one process, rank 0's initial weights, both ranks' batches concatenated.
    net = _tiny_net(seed=0)
    xs, ys = zip(*[_rank_batch(r) for r in range(WORLD)])
    loss = nn.functional.mse_loss(net(torch.cat(xs)), torch.cat(ys))
    loss.backward()
    with torch.no_grad():
        for p in net.parameters():
            if p.grad is not None:
                p -= 0.1 * p.grad            # SGD's first step (momentum buffer = grad)
    expected = net.state_dict()

    for r in range(WORLD):
        got = torch.load(str(tmp_path / 'rank{}.pt'.format(r)), weights_only=True)
        assert list(got) == list(expected)
        for k in expected:
            torch.testing.assert_close(got[k], expected[k], rtol=1e-6, atol=1e-7)
    # The step did move the trained layer (the check is not vacuous).
    assert not torch.allclose(expected['2.weight'], _tiny_net(seed=0).state_dict()['2.weight'])


def make_toy_net():
    """Constructor of the toy network (so load_network can rebuild it)."""
    net = toy_training.ToyNet()
    for p in net.feature_extractor[0].parameters():     # frozen linear layer; its BatchNorm stays trainable
        p.requires_grad_(False)
    net.constructor = NetConstructor('make_toy_net', __name__, (), {})
    return net


class RecordingActor(toy_training.ToyActor):
    """ToyActor that remembers (epoch, training, loss) of every batch this rank saw."""
    records = []

    def __call__(self, data):
        loss, stats = super().__call__(data)
        self.records.append((data['epoch'], torch.is_grad_enabled(), loss.item()))
        return loss, stats


def _make_rank_trainer(rank, ws):
    torch.manual_seed(rank)
    net = make_toy_net()
    actor = RecordingActor(net=net, objective=nn.MSELoss())
    loaders = [toy_training.ToyLoader('train', True, seed=10 + rank),
               toy_training.ToyLoader('val', False, epoch_interval=2, num_batches=2, seed=20 + rank)]
    optimizer = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=0.05)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    return LTRTrainer(actor, loaders, optimizer, toy_training.make_settings(ws), scheduler)


def _trainer_worker(rank, port, ws):
    sys.stdout = open(os.path.join(ws, 'stdout_rank{}.txt'.format(rank)), 'w')
    _init(rank, port)
    try:
        trainer = _make_rank_trainer(rank, ws)
        trainer.train(2, load_latest=True)
        hist = {l: {k: m.history for k, m in s.items()} for l, s in trainer.stats.items()}
        with open(os.path.join(ws, 'records_rank{}.json'.format(rank)), 'w') as f:
            json.dump({'records': RecordingActor.records, 'history': hist}, f)

        # Resume: fresh trainers (different init again) on both ranks load the same epoch-2 checkpoint.
        resumed = _make_rank_trainer(rank, ws)
        resumed.train(3, load_latest=True)
        state = {k: v.tolist() for k, v in resumed._net().state_dict().items()}
        with open(os.path.join(ws, 'resumed_rank{}.json'.format(rank)), 'w') as f:
            json.dump({'epoch': resumed.epoch, 'train_hist_len': len(resumed.stats['train']['Loss/total'].history),
                       'state': state}, f)
    finally:
        distributed.cleanup()
        sys.stdout.flush()


def _mean(values):
    return sum(values) / len(values)


def test_two_process_ltr_trainer_checkpoints_and_global_stats(tmp_path):
    ws = str(tmp_path)
    _run_workers(_trainer_worker, ws)

    ckpt_dir = os.path.join(ws, 'checkpoints', 'ltr', 'toy', 'run')
    assert sorted(os.listdir(ckpt_dir)) == ['ToyNet_ep0001.pth.tar', 'ToyNet_ep0002.pth.tar',
                                            'ToyNet_ep0003.pth.tar']          # one set, no temp files
    ckpt = torch_load_legacy(os.path.join(ckpt_dir, 'ToyNet_ep0002.pth.tar'))       # safe loading
    assert set(ckpt['net']) == set(toy_training.ToyNet().state_dict())             # no 'module.' prefix
    assert not any(k.startswith('module.') for k in ckpt['net'])
    net, loaded = load_network(os.path.join(ckpt_dir, 'ToyNet_ep0002.pth.tar'), unsafe=True)   # strict
    assert type(net).__name__ == 'ToyNet' and loaded['epoch'] == 2

    # Logged stats = mean over ranks of each rank's epoch mean (equal batch sizes).
    runs = [json.load(open(os.path.join(ws, 'records_rank{}.json'.format(r)))) for r in range(WORLD)]

    def expected(epoch, training):
        return _mean([_mean([l for e, t, l in run['records'] if e == epoch and t == training]) for run in runs])

    train_exp = [expected(1, True), expected(2, True)]
    assert ckpt['stats']['train']['Loss/total'].history == pytest.approx(train_exp, rel=1e-9)
    assert ckpt['stats']['val']['Loss/total'].history == pytest.approx([expected(2, False)], rel=1e-9)
    # The ranks saw different data, so their own means differ from the global one ...
    own = [_mean([l for e, t, l in run['records'] if e == 1 and t]) for run in runs]
    assert abs(own[0] - own[1]) > 1e-6
    # ... but every rank holds the global history.
    for run in runs:
        assert run['history']['train']['Loss/total'] == pytest.approx(train_exp, rel=1e-9)

    # Rank 0 prints (global running means), rank 1 prints nothing; one set of TensorBoard event files.
    out0 = open(os.path.join(ws, 'stdout_rank0.txt')).read()
    out1 = open(os.path.join(ws, 'stdout_rank1.txt')).read()
    assert out1 == ''
    line = [l for l in out0.splitlines() if l.startswith('[train: 2, 3 / 3]')]
    assert len(line) == 1
    assert float(re.search(r'Loss/total: ([0-9.]+)', line[0]).group(1)) == pytest.approx(train_exp[1], abs=1e-5)
    assert 'Finished training!' in out0
    for loader in ('train', 'val'):
        assert len(glob.glob(os.path.join(ws, 'tensorboard', 'ltr/toy/run', loader, 'events.*'))) == 2  # 2 runs

    # Resume: both ranks continued from epoch 2 with the checkpoint's stats, and hold the same weights.
    resumed = [json.load(open(os.path.join(ws, 'resumed_rank{}.json'.format(r)))) for r in range(WORLD)]
    for res in resumed:
        assert res['epoch'] == 3 and res['train_hist_len'] == 3
    assert resumed[0]['state'] == resumed[1]['state']
    final = torch_load_legacy(os.path.join(ckpt_dir, 'ToyNet_ep0003.pth.tar'))
    assert final['stats']['train']['Loss/total'].history[:2] == pytest.approx(train_exp, rel=1e-9)
    for k, v in final['net'].items():
        assert v.tolist() == resumed[0]['state'][k]


def test_nproc_reexecs_the_script_under_torchrun(monkeypatch):
    import torch.distributed.run as torchrun

    import ltr.run_training as rt
    seen = {}
    monkeypatch.delenv('WORLD_SIZE', raising=False)
    monkeypatch.setattr(torchrun, 'run', lambda args: seen.update(args=args))
    monkeypatch.setattr(sys, 'argv', ['run_training.py', 'bbreg', 'atom_demo', '--nproc', '2', '--seed', '3'])
    with pytest.raises(SystemExit) as exit_info:
        rt.main()
    assert exit_info.value.code == 0
    args = seen['args']
    assert args.standalone and str(args.nproc_per_node) == '2'
    assert args.training_script == os.path.abspath(rt.__file__)
    assert args.training_script_args == ['bbreg', 'atom_demo', '--seed', '3']     # --nproc is not passed on


def test_single_process_helpers_without_a_process_group(monkeypatch):
    monkeypatch.delenv('WORLD_SIZE', raising=False)
    assert distributed.init_distributed() is False
    assert not distributed.is_distributed()
    assert distributed.get_rank() == 0 and distributed.get_world_size() == 1 and distributed.is_main_process()
    assert distributed.all_reduce_mean(2.5) == 2.5 and distributed.all_reduce_sum([1, 2]) == [1.0, 2.0]
    distributed.barrier()
    distributed.cleanup()
