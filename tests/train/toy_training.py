"""A tiny, deterministic training problem for trainer tests (linear regression through LTRTrainer).

Also a script: `python toy_training.py WORKSPACE MAX_EPOCHS [KILL_AT_EPOCH]` trains with load_latest=True;
with KILL_AT_EPOCH it SIGKILLs itself in the middle of that epoch (to test resuming after a kill).
"""
import os
import signal
import sys
from types import SimpleNamespace

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if __name__ == '__main__' and REPO_ROOT not in sys.path:   # run as a script (a child process of the tests)
    sys.path.insert(0, REPO_ROOT)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

from ltr.actors import BaseActor  # noqa: E402
from ltr.trainers import LTRTrainer  # noqa: E402
from pytracking.libs import TensorDict  # noqa: E402


class ToyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.feature_extractor = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
        self.head = nn.Linear(3, 1)

    def forward(self, x):
        return self.head(self.feature_extractor(x))


class ToyActor(BaseActor):
    def __call__(self, data):
        pred = self.net(data['train_images'])
        loss = self.objective(pred, data['target'])
        return loss, {'Loss/total': loss.item(), 'Loss/mse': loss.item()}


class ToyLoader:
    """Same fixed batches every epoch; optionally kills the process at (kill_epoch, batch 2)."""

    def __init__(self, name, training, epoch_interval=1, num_batches=3, seed=0, kill_epoch=None, trainer_ref=None):
        self.name = name
        self.training = training
        self.epoch_interval = epoch_interval
        self.stack_dim = 0
        g = torch.Generator().manual_seed(seed)
        w = torch.tensor([[1.0], [-2.0], [0.5]])
        self.batches = []
        for _ in range(num_batches):
            x = torch.randn(4, 3, generator=g)
            self.batches.append((x, x @ w + 0.3))
        self.kill_epoch = kill_epoch
        self.trainer_ref = trainer_ref

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        for i, (x, y) in enumerate(self.batches):
            if self.kill_epoch is not None and i == 1 and self.trainer_ref[0].epoch == self.kill_epoch:
                sys.stdout.flush()
                os.kill(os.getpid(), signal.SIGKILL)
            yield TensorDict({'train_images': x.clone(), 'target': y.clone()})


def make_settings(workspace):
    env = SimpleNamespace(workspace_dir=workspace, tensorboard_dir=os.path.join(workspace, 'tensorboard'))
    return SimpleNamespace(env=env, use_gpu=False, device=torch.device('cpu'), module_name='toy', script_name='run',
                           project_path='ltr/toy/run', description='toy regression', print_interval=1,
                           batch_size=4, some_list=[1, 2], some_dict={'train': 0.5})


def make_trainer(workspace, kill_epoch=None, actor_cls=ToyActor, freeze_bn=False):
    torch.manual_seed(0)
    net = ToyNet()
    actor = actor_cls(net=net, objective=nn.MSELoss())
    trainer_ref = []
    loaders = [ToyLoader('train', True, kill_epoch=kill_epoch, trainer_ref=trainer_ref),
               ToyLoader('val', False, epoch_interval=2, num_batches=2, seed=1)]
    optimizer = torch.optim.Adam(net.parameters(), lr=0.05)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    trainer = LTRTrainer(actor, loaders, optimizer, make_settings(workspace), scheduler,
                         freeze_backbone_bn_layers=freeze_bn)
    trainer_ref.append(trainer)
    return trainer


if __name__ == '__main__':
    ws, max_epochs = sys.argv[1], int(sys.argv[2])
    kill = int(sys.argv[3]) if len(sys.argv) > 3 else None
    torch.set_num_threads(1)
    make_trainer(ws, kill_epoch=kill).train(max_epochs, load_latest=True, fail_safe=False)
