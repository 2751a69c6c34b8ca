"""ATOM training on the embedded demo data: the pipeline of `atom.py` at a size that trains on 2 CPU cores in
about 5 minutes (`python ltr/run_training.py bbreg atom_demo`, or `make demo`).

Data: `settings.env.demo_dir` (generate it with `python -m ltr.dataset.demo_data --out data/demo`):
GOT-10k train + LaSOT + TrackingNet 0-3 + COCO for training (p = [1, 1, 1, 1] as in atom.py), the GOT-10k
*val* folder (other targets than training) for validation.

Backbone choice (measured). No ImageNet weights can be had here, so the backbone starts from random init.
ATOM keeps the backbone frozen (the default here too); `settings.train_backbone = True` also trains it
(Adam, lr `backbone_lr` = 1e-4). Measured on the demo data (batch 8, 8 iterations per epoch, val on 32 fixed
GOT-10k-val pairs x 16 proposals, seed 0, 2 shared CPU cores):

    backbone          epochs  val IoU loss untrained -> trained  mean-IoU predictor  corr(pred, true IoU)  time/epoch
    random, frozen       5    0.494 -> 0.321                     0.217               -0.11                 ~10 s idle
    random, trained      5    0.494 -> 0.238                     0.217               +0.11                 ~17 s idle
    random, frozen      20    0.494 -> 0.227                     0.217               +0.34                 (420 s total)
    random, trained     20    0.494 -> 0.253                     0.217               +0.16                 (850 s total)
    random, frozen      60    0.549 -> 0.183                     0.215               +0.69                 (16 it/epoch, ~30 min)

(Those rows used the first demo data: 9 named training objects.) Training objects matter more than epochs: with
only 9 objects the IoU-Net learns those objects rather than where an object ends. On unseen objects (the demo
OTB sequences) its ranking of boxes drops (Spearman 0.32 vs 0.80 on training sequences) and it prefers boxes
~15% too small, so box refinement shrinks the box. The demo data now adds random patches (55 more GOT-10k train
sequences, 3/4 of 96 COCO images' objects, `demo_sources.random_train_patches`), and the demo draws 32 proposals
per frame instead of 16 (more IoU targets per backbone pass, at no measurable cost per step here: 7.0 vs 7.1
samples/s). 60 epochs x 16 iterations, frozen random backbone, measured by the same probe (OTB = 8 demo sequences x
4 frames; val = val loss on the fixed val set, 32 proposals):

    demo data / proposals       val loss -> corr    Spearman OTB / GOT-val / GOT-train    best box scale on OTB
    9 objects, 16 proposals     0.183, +0.69        0.32 / 0.69 / 0.80                    1.02 (flat 0.9-1.0)
    +random patches (32/48), 16 0.163, +0.72        0.41 / 0.71 / 0.76                    0.92
    +random patches (64/96), 32 0.114, +0.73        0.47 / 0.66 / 0.74                    0.93
    same, dataset weights 1,3,1,3  0.214, +0.61     0.35 / 0.61 / 0.83                    0.97

(Sampling GOT-10k and COCO 3x more overfits: train loss 0.04; the default weights stay atom.py's [1, 1, 1, 1].)

After 5 epochs neither learns to *rank* proposals (noise-level correlation; the loss only reaches that of always
predicting the mean IoU). After 20 epochs the frozen-backbone net starts to rank them (correlation 0.34, train
loss 0.16 vs 0.22 at epoch 7). Training the backbone is worse after 20 epochs (correlation 0.16) and costs ~1.7x the
time per step, so the demo keeps ATOM's frozen backbone and runs 20 epochs. The pipeline itself can learn (one
fixed batch is fitted to correlation 0.98 within 25 steps): for a useful tracker, train longer
(ATOM_DEMO_EPOCHS / ATOM_DEMO_ITERATIONS) or on a GPU.

Differences from atom.py, all for size: batch 8 instead of 64, 8 iterations per epoch, 32 proposals per frame
instead of 16 (see above), 0 workers, 20 epochs
with one lr decay (x0.2) after 3/4 of them, validation every epoch on a *fixed* set of 32 samples (drawn once
with a fixed seed, so the val loss of different epochs and of the untrained network are comparable), and the
val loss of the untrained network is measured before training (printed and logged to TensorBoard as step 0).
At the end the val loss, the mean-IoU baseline and the prediction/IoU correlation are printed.

Size knobs (a value already set on `settings` wins, then the environment variable, then the default):
batch_size (ATOM_DEMO_BATCH_SIZE, 8), train_iterations_per_epoch (ATOM_DEMO_ITERATIONS, 8),
val_samples (ATOM_DEMO_VAL_SAMPLES, 32), num_epochs (ATOM_DEMO_EPOCHS, 20),
proposals_per_frame (ATOM_DEMO_PROPOSALS, 32); dataset_weights of (LaSOT, GOT-10k, TrackingNet, COCO)
(ATOM_DEMO_DATASET_WEIGHTS, '1,1,1,1' as in atom.py).
"""
import os
import random
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
import torch.utils.data

import ltr.data.transforms as tfm
import ltr.models.bbreg.atom as atom_models
from ltr import actors
from ltr.data import processing, sampler, LTRLoader
from ltr.dataset import Lasot, Got10k, TrackingNet, MSCOCOSeq
from ltr.trainers import LTRTrainer
from ltr.train_settings.required_paths import MissingDatasetSettingsError

# Measured choice (see module docstring): train only the IoU predictor on a random, frozen backbone, as ATOM.
BACKBONE_CHOICE = {'train_backbone': False, 'backbone_lr': 1e-4}


class FixedSampleSet(torch.utils.data.Dataset):
    """`num_samples` samples drawn once from `dataset` under a fixed seed (the global RNG states are restored
    afterwards), so every validation pass sees the same data."""

    def __init__(self, dataset, num_samples, seed=1234):
        py_state, np_state, torch_state = random.getstate(), np.random.get_state(), torch.get_rng_state()
        try:
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            self.samples = [dataset[i] for i in range(num_samples)]
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)
            torch.set_rng_state(torch_state)

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        return self.samples[index]


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
    (tests and `make demo-quick` shrink the run this way)."""
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


def iou_prediction_quality(actor, loader, device):
    """How well the network predicts the proposals' IoU on `loader` (eval mode, no gradients):
    loss - the IoU loss (MSE on IoU mapped to [-1, 1]), as the trainer reports it;
    baseline_loss - the MSE of always predicting the mean target (what a network that ignores the image gets);
    pearson - correlation of predicted and true IoU over all proposals (ranking quality, what the tracker uses).
    """
    actor.train(False)
    preds, targets = [], []
    with torch.no_grad():
        for data in loader:
            data = data.to(device)
            iou_pred = actor.net(data['train_images'], data['test_images'], data['train_anno'],
                                 data['test_proposals'])
            preds.append(iou_pred.reshape(-1).cpu())
            targets.append(data['proposal_iou'].reshape(-1).cpu())
    pred, target = torch.cat(preds).double(), torch.cat(targets).double()
    pearson = torch.corrcoef(torch.stack((pred, target)))[0, 1].item() if pred.numel() > 1 else float('nan')
    return {'loss': torch.mean((pred - target) ** 2).item(),
            'baseline_loss': torch.mean((target - target.mean()) ** 2).item(),
            'pearson': pearson}


def _print_quality(title, q):
    print('{}: val Loss/iou = {:.5f}  (predicting the mean IoU: {:.5f}; correlation with the true IoU: {:.3f})'
          .format(title, q['loss'], q['baseline_loss'], q['pearson']))


def run(settings):
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
    _size_setting(settings, 'train_iterations_per_epoch', 'ATOM_DEMO_ITERATIONS', 8)
    _size_setting(settings, 'val_samples', 'ATOM_DEMO_VAL_SAMPLES', 32)
    _size_setting(settings, 'num_epochs', 'ATOM_DEMO_EPOCHS', 20)
    _size_setting(settings, 'proposals_per_frame', 'ATOM_DEMO_PROPOSALS', 32)
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
                                        max_gap=50, processing=data_processing_train)
    loader_train = LTRLoader('train', dataset_train, training=True, batch_size=settings.batch_size,
                             num_workers=settings.num_workers, shuffle=True, drop_last=True, stack_dim=1)

    dataset_val = FixedSampleSet(sampler.ATOMSampler([got10k_val], [1], samples_per_epoch=settings.val_samples,
                                                     max_gap=50, processing=data_processing_val),
                                 settings.val_samples, seed=settings.seed + 1000)
    loader_val = LTRLoader('val', dataset_val, training=False, batch_size=settings.batch_size,
                           num_workers=settings.num_workers, shuffle=False, drop_last=False, epoch_interval=1,
                           stack_dim=1)

    net = atom_models.atom_resnet18(backbone_pretrained=False)
    objective = nn.MSELoss()
    actor = actors.AtomActor(net=net, objective=objective)

    param_groups = [{'params': actor.net.bb_regressor.parameters(), 'lr': 1e-3}]
    if settings.train_backbone:
        for p in actor.net.feature_extractor.parameters():
            p.requires_grad_(True)
        param_groups.append({'params': actor.net.feature_extractor.parameters(), 'lr': settings.backbone_lr})
    optimizer = optim.Adam(param_groups, lr=1e-3)
    # One lr decay (x0.2) after 3/4 of the epochs, as atom.py's StepLR(15, 0.2) does over its first 20 epochs.
    lr_scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=max(1, (3 * settings.num_epochs) // 4), gamma=0.2)

    trainer = LTRTrainer(actor, [loader_train, loader_val], optimizer, settings, lr_scheduler)

    # Val loss of the untrained network (on a fresh start only), as the reference for the trained one.
    trainer.load_checkpoint()
    if trainer.epoch == 0:
        untrained = iou_prediction_quality(actor, loader_val, trainer.device)
        settings.untrained_val_quality = untrained
        _print_quality('Untrained network', untrained)
        trainer.tensorboard_writer.writer['val'].add_scalar('Loss/iou', untrained['loss'], 0)
        trainer.tensorboard_writer.writer['val'].flush()

    trainer.train(settings.num_epochs, load_latest=True, fail_safe=True)
    settings.trained_val_quality = iou_prediction_quality(actor, loader_val, trainer.device)
    _print_quality('Trained network ({} epochs)'.format(trainer.epoch), settings.trained_val_quality)
    return trainer
