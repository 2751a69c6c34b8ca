"""BaseTrainer: the epoch loop, checkpoint saving/loading and crash recovery."""
import glob
import os
import traceback

import torch
from torch.nn.parallel import DistributedDataParallel

from ltr.admin import distributed, loading, multigpu
from ltr.admin.atomic_io import atomic_torch_save
from ltr.data.sampler import BadDataError


class CheckpointSaveError(OSError):
    """A checkpoint could not be written (disk full, directory not writable, ...). Training stops: retrying the
    epoch cannot help, and the previous checkpoint is still intact (writes are atomic)."""


def _settings_as_plain_dict(settings):
    """Checkpoints store the settings as plain data (pytracking pickles the Settings object, which then needs
    the user's ltr.admin.local to unpickle and cannot be loaded with weights_only=True)."""
    if hasattr(settings, 'to_dict'):
        return settings.to_dict()
    from ltr.admin.settings import _to_plain
    return {k: _to_plain(v) for k, v in vars(settings).items()}


class BaseTrainer:
    """Base trainer class. Contains functions for training and saving/loading checkpoints.
    Trainer classes should inherit from this one and overload the train_epoch function.

    Multi-process training: when a torch.distributed process group of more than one process is initialised
    (ltr/run_training.py does it under torchrun), actor.net is wrapped in DistributedDataParallel, so each
    process trains on its own batches (settings.batch_size is per process) and the gradients are averaged.
    Only rank 0 writes checkpoints (with the unwrapped network's keys, no 'module.' prefix); every rank loads
    the same checkpoint on resume. """

    def __init__(self, actor, loaders, optimizer, settings, lr_scheduler=None):
        """args:
            actor - The actor for training the network.
            loaders - list of dataset loaders, e.g. [train_loader, val_loader]. In each epoch, the trainer runs
                      one epoch for each loader.
            optimizer - The optimizer used for training, e.g. Adam.
            settings - Training settings.
            lr_scheduler - Learning rate scheduler.
        """
        self.actor = actor
        self.optimizer = optimizer
        self.lr_scheduler = lr_scheduler
        self.loaders = loaders

        self.update_settings(settings)

        self.epoch = 0
        self.stats = {}

        self.device = getattr(settings, 'device', None)
        if self.device is None:
            self.device = torch.device('cuda:{}'.format(distributed.get_local_rank() if distributed.is_distributed()
                                                         else 0)
                                       if torch.cuda.is_available() and settings.use_gpu else 'cpu')
        self.actor.to(self.device)
        if distributed.is_distributed():
            self._wrap_distributed()

    def _wrap_distributed(self):
        """Wrap actor.net in DistributedDataParallel (it copies rank 0's parameters and buffers to all ranks).
        Parameters with requires_grad=False (ATOM's frozen backbone) are left out by DDP itself; set
        settings.ddp_find_unused_parameters = True for networks whose forward skips trainable parameters."""
        net = self.actor.net
        if isinstance(net, DistributedDataParallel):
            return
        device_ids = [self.device.index if self.device.index is not None else torch.cuda.current_device()] \
            if self.device.type == 'cuda' else None
        find_unused = bool(getattr(self.settings, 'ddp_find_unused_parameters', False))
        self.actor.net = DistributedDataParallel(net, device_ids=device_ids, find_unused_parameters=find_unused)

    def _sync_buffers(self):
        """Multi-process: copy rank 0's buffers (BatchNorm running statistics) to all ranks at the end of an
        epoch. DDP broadcasts them before each forward, so after the last batch each rank holds its own update;
        this makes every rank's network equal to the one rank 0 saves."""
        if not distributed.is_distributed():
            return
        for buf in self._net().buffers():
            torch.distributed.broadcast(buf.data, src=0)

    def update_settings(self, settings=None):
        """Updates the trainer settings. Must be called to update internal settings."""
        if settings is not None:
            self.settings = settings

        if self.settings.env.workspace_dir is not None:
            # An empty workspace_dir means the current directory (as in pytracking).
            self.settings.env.workspace_dir = os.path.expanduser(self.settings.env.workspace_dir)
            self._checkpoint_dir = os.path.join(self.settings.env.workspace_dir, 'checkpoints')
            os.makedirs(self._checkpoint_dir, exist_ok=True)
        else:
            self._checkpoint_dir = None

    def train(self, max_epochs, load_latest=False, fail_safe=True):
        """Do training for the given number of epochs.
        args:
            max_epochs - Max number of training epochs,
            load_latest - Bool indicating whether to resume from latest epoch.
            fail_safe - Bool indicating whether the training to automatically restart in case of any crashes.
        """
        epoch = -1
        num_tries = 10
        if distributed.is_distributed():
            # One crashed rank leaves the others waiting in a collective, so no in-process restart: the run
            # stops, and `torchrun --max-restarts K` restarts all ranks, which resume from the last checkpoint.
            fail_safe = False
        for i in range(num_tries):
            try:
                if load_latest:
                    self.load_checkpoint()

                for epoch in range(self.epoch + 1, max_epochs + 1):
                    self.epoch = epoch
                    self.train_epoch()
                    self._sync_buffers()
                    if self.lr_scheduler is not None:
                        self.lr_scheduler.step()
                    if self._checkpoint_dir:
                        self.save_checkpoint()
                # pytracking has no break here: it re-loaded the checkpoint 9 more times doing nothing.
                break
            except (CheckpointSaveError, BadDataError) as e:
                # A full disk or unreadable training data is not fixed by training the epoch again: stop with one
                # clear message.
                print('Training stopped at epoch {}: {}'.format(epoch, e))
                raise
            except Exception:
                # pytracking used a bare except, so Ctrl-C restarted the training up to 10 times.
                print('Training crashed at epoch {}{}'.format(
                    epoch, ' (rank {})'.format(distributed.get_rank()) if distributed.is_distributed() else ''))
                if fail_safe and i < num_tries - 1:
                    self.epoch -= 1
                    load_latest = True
                    print('Traceback for the error!')
                    print(traceback.format_exc())
                    print('Restarting training from last epoch ...')
                else:
                    raise

        # The last checkpoint exists (rank 0 wrote it) before any rank returns.
        distributed.barrier()
        if distributed.is_main_process():
            print('Finished training!')

    def train_epoch(self):
        raise NotImplementedError

    def _net(self):
        net = self.actor.net
        if isinstance(net, DistributedDataParallel):
            net = net.module
        return net.module if multigpu.is_multi_gpu(net) else net

    def _project_checkpoint_dir(self):
        return os.path.join(self._checkpoint_dir, self.settings.project_path)

    def save_checkpoint(self):
        """Saves a checkpoint of the network and other variables (written atomically: temp file + rename).
        In multi-process training only rank 0 writes (the others return None)."""
        if not distributed.is_main_process():
            return None
        net = self._net()
        actor_type = type(self.actor).__name__
        net_type = type(net).__name__
        state = {
            'epoch': self.epoch,
            'actor_type': actor_type,
            'net_type': net_type,
            'net': net.state_dict(),
            'net_info': getattr(net, 'info', None),
            'constructor': getattr(net, 'constructor', None),
            'optimizer': self.optimizer.state_dict(),
            'stats': self.stats,
            'settings': _settings_as_plain_dict(self.settings),
        }
        directory = self._project_checkpoint_dir()
        os.makedirs(directory, exist_ok=True)
        file_path = os.path.join(directory, '{}_ep{:04d}.pth.tar'.format(net_type, self.epoch))
        try:
            atomic_torch_save(state, file_path)
        except OSError as e:
            previous = sorted(glob.glob(os.path.join(directory, '{}_ep*.pth.tar'.format(net_type))))
            previous = [f for f in previous if f != file_path]
            error = CheckpointSaveError('Could not save checkpoint {}: {}. {}'.format(
                file_path, e.strerror or e, 'The previous checkpoint {} is intact; free space (or fix the '
                'directory) and rerun with load_latest to resume from it.'.format(previous[-1]) if previous else
                'No earlier checkpoint exists.'))
            error.errno = e.errno
            raise error from e
        return file_path

    @staticmethod
    def _load_newest_intact(checkpoint_list):
        """Load the newest checkpoint of the sorted list that is not damaged (a damaged one is reported and
        skipped: resuming from the epoch before loses one epoch, not the run). Returns (path, dict)."""
        first_error = None
        for path in reversed(checkpoint_list):
            try:
                return path, loading.torch_load_legacy(path)
            except loading.DamagedCheckpointError as e:
                first_error = first_error or e
                if distributed.is_main_process():
                    print('{} Skipping it: resuming from the checkpoint before.'.format(e))
        raise first_error

    def load_checkpoint(self, checkpoint=None, fields=None, ignore_fields=None, load_constructor=False):
        """Loads a network checkpoint file.

        Can be called in three different ways:
            load_checkpoint():
                Loads the latest epoch from the workspace. Use this to continue training.
            load_checkpoint(epoch_num):
                Loads the network at the given epoch number (int).
            load_checkpoint(path_to_checkpoint):
                Loads the file from the given absolute path (str), or the latest checkpoint in a directory.
        Fields 'settings', 'lr_scheduler', 'constructor', 'net_type', 'actor_type' and 'net_info' are never
        restored; 'net' and 'optimizer' are loaded into the network/optimizer, other fields set as attributes.
        """
        net = self._net()
        net_type = type(net).__name__

        if checkpoint is None:
            checkpoint_list = sorted(glob.glob(os.path.join(self._project_checkpoint_dir(),
                                                            '{}_ep*.pth.tar'.format(net_type))))
            if checkpoint_list:
                checkpoint_path = checkpoint_list[-1]
            else:
                if distributed.is_main_process():
                    print('No matching checkpoint file found')
                return
        elif isinstance(checkpoint, int):
            checkpoint_path = os.path.join(self._project_checkpoint_dir(),
                                           '{}_ep{:04d}.pth.tar'.format(net_type, checkpoint))
        elif isinstance(checkpoint, str):
            if os.path.isdir(checkpoint):
                checkpoint_list = sorted(glob.glob(os.path.join(checkpoint, '*_ep*.pth.tar')))
                if checkpoint_list:
                    checkpoint_path = checkpoint_list[-1]
                else:
                    raise FileNotFoundError('No checkpoint (*_ep*.pth.tar) found in directory {}'.format(checkpoint))
            else:
                checkpoint_path = os.path.expanduser(checkpoint)
        else:
            raise TypeError('load_checkpoint: checkpoint must be None, an epoch number or a path, got {}'
                            .format(type(checkpoint).__name__))

        if checkpoint is None:
            checkpoint_path, checkpoint_dict = self._load_newest_intact(checkpoint_list)
        else:
            checkpoint_dict = loading.torch_load_legacy(checkpoint_path)

        if checkpoint_dict.get('net_type') != net_type:
            raise RuntimeError('Checkpoint {} holds a {}, but the network is a {}.'.format(
                checkpoint_path, checkpoint_dict.get('net_type'), net_type))

        if fields is None:
            fields = checkpoint_dict.keys()
        ignore_fields = ['settings'] if ignore_fields is None else list(ignore_fields)
        # Never load the scheduler (older checkpoints have it), nor the descriptive fields.
        ignore_fields.extend(['lr_scheduler', 'constructor', 'net_type', 'actor_type', 'net_info'])

        for key in fields:
            if key in ignore_fields:
                continue
            if key == 'net':
                net.load_state_dict(checkpoint_dict[key])
            elif key == 'optimizer':
                self.optimizer.load_state_dict(checkpoint_dict[key])
            else:
                setattr(self, key, checkpoint_dict[key])

        if load_constructor and checkpoint_dict.get('constructor') is not None:
            net.constructor = checkpoint_dict['constructor']
        if checkpoint_dict.get('net_info') is not None:
            net.info = checkpoint_dict['net_info']

        # The lr schedule resumes from the restored epoch (the optimizer state holds the current lr).
        if 'epoch' in fields and self.lr_scheduler is not None:
            self.lr_scheduler.last_epoch = self.epoch
            self.lr_scheduler._last_lr = [group['lr'] for group in self.optimizer.param_groups]

        return True
