"""LTRTrainer: runs every loader each epoch (train with gradient steps, val without), keeps per-loader
statistics, prints progress lines and writes TensorBoard scalars."""
import os
import sys
import time
import warnings
from collections import OrderedDict

import torch
import torch.nn as nn

from ltr.admin import distributed
from ltr.admin.stats import AverageMeter, StatValue
from ltr.admin.tensorboard import TensorboardWriter
from ltr.trainers import BaseTrainer


def freeze_batchnorm_layers(net):
    """Put every BatchNorm layer of `net` in eval mode (use and keep its running statistics).
    (pytracking checks BatchNorm2d only; any BatchNorm is covered here.)"""
    for module in net.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.eval()


class _NullSummaryWriter:
    """Stands in for a SummaryWriter on ranks other than 0: every method does nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


class _NullTensorboardWriter:
    """TensorboardWriter's interface without files (ranks other than 0 in multi-process training)."""

    def __init__(self, loader_names):
        self.writer = OrderedDict({name: _NullSummaryWriter() for name in loader_names})

    def write_info(self, *args, **kwargs):
        pass

    def write_epoch(self, *args, **kwargs):
        pass

    def close(self):
        pass


def _global_meter_sums(loader_stats):
    """{name: (sum, count)} of the AverageMeters in `loader_stats`, summed over all ranks (a collective)."""
    local = {name: (float(m.sum), int(m.count)) for name, m in loader_stats.items() if isinstance(m, AverageMeter)}
    if not distributed.is_distributed():
        return local
    gathered = [None] * distributed.get_world_size()
    torch.distributed.all_gather_object(gathered, local)
    total = OrderedDict()
    for rank_stats in gathered:
        for name, (s, c) in rank_stats.items():
            ts, tc = total.get(name, (0.0, 0))
            total[name] = (ts + s, tc + c)
    return total


class LTRTrainer(BaseTrainer):
    def __init__(self, actor, loaders, optimizer, settings, lr_scheduler=None, freeze_backbone_bn_layers=False):
        """args:
            actor - The actor for training the network.
            loaders - list of dataset loaders, e.g. [train_loader, val_loader]. In each epoch, the trainer runs
                      one epoch for each loader whose epoch_interval divides the epoch.
            optimizer - The optimizer used for training, e.g. Adam.
            settings - Training settings.
            lr_scheduler - Learning rate scheduler.
            freeze_backbone_bn_layers - keep the BatchNorm layers of net.feature_extractor in eval mode during
                                        training (pytracking's ATOM leaves it False: the frozen backbone's BN
                                        then normalises with batch statistics and updates its running stats).
        """
        super().__init__(actor, loaders, optimizer, settings, lr_scheduler)

        self._set_default_settings()

        # Initialize statistics variables
        self.stats = OrderedDict({loader.name: None for loader in self.loaders})

        # Initialize tensorboard (rank 0 only in multi-process training)
        if distributed.is_main_process():
            tensorboard_writer_dir = os.path.join(self.settings.env.tensorboard_dir, self.settings.project_path)
            self.tensorboard_writer = TensorboardWriter(tensorboard_writer_dir, [l.name for l in loaders])
        else:
            self.tensorboard_writer = _NullTensorboardWriter([l.name for l in loaders])

        self.move_data_to_gpu = getattr(settings, 'move_data_to_gpu', True)
        self.freeze_backbone_bn_layers = freeze_backbone_bn_layers
        self._bar = None

    def _set_default_settings(self):
        # Dict of all default values
        default = {'print_interval': 10,
                   'print_stats': None,
                   'description': ''}
        for param, default_value in default.items():
            if getattr(self.settings, param, None) is None:
                setattr(self.settings, param, default_value)

    def _progress(self, loader):
        """A tqdm bar over the loader when stdout is a terminal; the plain loader otherwise."""
        self._bar = None
        if getattr(self.settings, 'progress_bar', True) and sys.stdout.isatty() and distributed.is_main_process():
            try:
                from tqdm import tqdm
            except ImportError:
                return loader
            self._bar = tqdm(loader, total=len(loader), desc='{} {}'.format(loader.name, self.epoch),
                             leave=False, dynamic_ncols=True)
            return self._bar
        return loader

    def cycle_dataset(self, loader):
        """Do a cycle of training or validation."""
        self.actor.train(loader.training)
        if self.freeze_backbone_bn_layers:
            freeze_batchnorm_layers(self._net().feature_extractor)
        torch.set_grad_enabled(loader.training)
        if distributed.is_distributed():
            self._check_same_length(loader)

        self._init_timing()

        for i, data in enumerate(self._progress(loader), 1):
            # get inputs
            if self.move_data_to_gpu:
                data = data.to(self.device)

            data['epoch'] = self.epoch
            data['settings'] = self.settings

            # forward pass
            loss, stats = self.actor(data)

            # backward pass and update weights
            if loader.training:
                self.optimizer.zero_grad()
                loss.backward()
                grad_clip = getattr(self.settings, 'grad_clip_max_norm', None)
                if grad_clip:
                    torch.nn.utils.clip_grad_norm_(self.actor.net.parameters(), grad_clip)
                self.optimizer.step()

            # update statistics
            batch_size = data['train_images'].shape[loader.stack_dim]
            self._update_stats(stats, batch_size, loader)

            # print statistics
            self._print_stats(i, loader, batch_size)

        if self._bar is not None:
            self._bar.close()
        torch.set_grad_enabled(True)

    @staticmethod
    def _check_same_length(loader):
        """Every rank must run the same number of batches (DDP and the stats reduction are collectives; a
        rank with more batches would wait forever). Equal iff sum(n) and sum(n^2) match those of n = own length."""
        n = len(loader)
        world = distributed.get_world_size()
        total, total_sq = distributed.all_reduce_sum([n, n * n])
        if total != n * world or total_sq != n * n * world:
            raise RuntimeError('Multi-process training: loader {!r} has {} batches on rank {}, but not the same '
                               'number on every rank.'.format(loader.name, n, distributed.get_rank()))

    def train_epoch(self):
        """Do one epoch for each loader."""
        for loader in self.loaders:
            if self.epoch % loader.epoch_interval == 0:
                self.cycle_dataset(loader)

        self._stats_new_epoch()
        self._write_tensorboard()

    def _init_timing(self):
        self.num_frames = 0
        self.start_time = time.time()
        self.prev_time = self.start_time

    def _update_stats(self, new_stats: OrderedDict, batch_size, loader):
        # Initialize stats if not initialized yet
        if loader.name not in self.stats.keys() or self.stats[loader.name] is None:
            self.stats[loader.name] = OrderedDict({name: AverageMeter() for name in new_stats.keys()})

        for name, val in new_stats.items():
            if name not in self.stats[loader.name].keys():
                self.stats[loader.name][name] = AverageMeter()
            self.stats[loader.name][name].update(val, batch_size)

    def _print_stats(self, i, loader, batch_size):
        self.num_frames += batch_size
        current_time = time.time()
        batch_fps = batch_size / max(current_time - self.prev_time, 1e-9)
        average_fps = self.num_frames / max(current_time - self.start_time, 1e-9)
        self.prev_time = current_time
        if i % self.settings.print_interval == 0 or i == len(loader):
            if distributed.is_distributed():
                # Global running means (every rank takes part); FPS counts the frames of all ranks.
                sums = _global_meter_sums(self.stats[loader.name])
                averages = {name: s / c for name, (s, c) in sums.items() if c > 0}
                world = distributed.get_world_size()
                average_fps, batch_fps = average_fps * world, batch_fps * world
                if not distributed.is_main_process():
                    return
            else:
                averages = None
            print_str = '[%s: %d, %d / %d] ' % (loader.name, self.epoch, i, len(loader))
            print_str += 'FPS: %.1f (%.1f)  ,  ' % (average_fps, batch_fps)
            for name, val in self.stats[loader.name].items():
                if (self.settings.print_stats is None or name in self.settings.print_stats) and hasattr(val, 'avg'):
                    avg = val.avg if averages is None else averages.get(name, val.avg)
                    print_str += '%s: %.5f  ,  ' % (name, avg)
            if self._bar is not None:
                self._bar.write(print_str[:-5])
            else:
                print(print_str[:-5])

    def _stats_new_epoch(self):
        if distributed.is_distributed():
            self._reduce_stats_over_ranks()
        # Record learning rate
        for loader in self.loaders:
            if loader.training and self.lr_scheduler is not None and self.stats.get(loader.name) is not None:
                # Faithful: pytracking logs get_lr() (called outside step), which for StepLR shows lr*gamma
                # in the epoch after each decay.
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore', UserWarning)
                    lr_list = self.lr_scheduler.get_lr()
                for i, lr in enumerate(lr_list):
                    var_name = 'LearningRate/group{}'.format(i)
                    if var_name not in self.stats[loader.name].keys():
                        self.stats[loader.name][var_name] = StatValue()
                    self.stats[loader.name][var_name].update(lr)

        for loader_stats in self.stats.values():
            if loader_stats is None:
                continue
            for stat_value in loader_stats.values():
                if hasattr(stat_value, 'new_epoch'):
                    stat_value.new_epoch()

    def _reduce_stats_over_ranks(self):
        """Replace each AverageMeter's epoch sum and count by those over all ranks, so the epoch means stored in
        the history (checkpoints, TensorBoard) are global: the mean over all ranks' samples."""
        for loader in self.loaders:       # the same order on every rank
            loader_stats = self.stats.get(loader.name)
            if loader_stats is None:
                loader_stats = OrderedDict()
            sums = _global_meter_sums(loader_stats)
            for name, (s, c) in sums.items():
                meter = loader_stats.get(name)
                if meter is None:
                    continue      # a stat only other ranks produced: not added here
                meter.sum, meter.count = s, c
                meter.avg = s / c if c > 0 else 0

    def _write_tensorboard(self):
        if self.epoch == 1:
            self.tensorboard_writer.write_info(self.settings.module_name, self.settings.script_name,
                                               self.settings.description)

        self.tensorboard_writer.write_epoch(self.stats, self.epoch)
