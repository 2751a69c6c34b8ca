"""ATOM training, pytracking's default setting: the paper's recipe, additionally trained on GOT-10k.

Only the IoU predictor (bb_regressor) is trained; the ImageNet ResNet-18 backbone stays frozen.
The recipe is `train_atom` (ours, a function so that atom_paper.py states only how its data differ).
"""
import torch.nn as nn
import torch.optim as optim

import ltr.data.transforms as tfm
import ltr.models.bbreg.atom as atom_models
from ltr import actors
from ltr.data import LTRLoader, processing, sampler
from ltr.dataset import Got10k, Lasot, MSCOCOSeq, TrackingNet
from ltr.train_settings.required_paths import require_dataset_dirs
from ltr.trainers import LTRTrainer


def run(settings):
    # Fail early, with the names of the settings to fill in, rather than deep inside a dataset class.
    require_dataset_dirs(settings, 'lasot_dir', 'got10k_dir', 'trackingnet_dir', 'coco_dir')
    settings.description = 'ATOM IoUNet with default settings, but additionally using GOT10k for training.'

    # Train datasets
    lasot_train = Lasot(settings.env.lasot_dir, split='train')
    got10k_train = Got10k(settings.env.got10k_dir, split='vottrain')
    trackingnet_train = TrackingNet(settings.env.trackingnet_dir, set_ids=list(range(4)))
    coco_train = MSCOCOSeq(settings.env.coco_dir)

    # Validation datasets
    got10k_val = Got10k(settings.env.got10k_dir, split='votval')

    train_atom(settings, [lasot_train, got10k_train, trackingnet_train, coco_train], [1, 1, 1, 1], [got10k_val])


def train_atom(settings, train_datasets, train_weights, val_datasets):
    """ATOM's recipe (settings, transforms, processing, samplers, network, optimiser, 50 epochs) on the given
    training datasets (sampled with `train_weights`) and validation datasets."""
    # Most common settings are assigned in the settings struct
    settings.batch_size = 64
    settings.num_workers = 8
    settings.print_interval = 1
    settings.normalize_mean = [0.485, 0.456, 0.406]   # ImageNet statistics (the backbone's training data)
    settings.normalize_std = [0.229, 0.224, 0.225]
    settings.search_area_factor = 5.0                 # crop side = 5 * sqrt(target area)
    settings.feature_sz = 18                          # layer3 (stride 16) feature size
    settings.output_sz = settings.feature_sz * 16     # crop size 288
    settings.center_jitter_factor = {'train': 0, 'test': 4.5}   # test crop centre offset, x sqrt(area)
    settings.scale_jitter_factor = {'train': 0, 'test': 0.5}    # test crop log-scale std

    # The joint augmentation transform, that is applied to the pairs jointly
    transform_joint = tfm.Transform(tfm.ToGrayscale(probability=0.05))

    # The augmentation transform applied to the training set (individually to each image in the pair)
    transform_train = tfm.Transform(tfm.ToTensorAndJitter(0.2),
                                    tfm.Normalize(mean=settings.normalize_mean, std=settings.normalize_std))

    # The augmentation transform applied to the validation set (individually to each image in the pair)
    transform_val = tfm.Transform(tfm.ToTensor(),
                                  tfm.Normalize(mean=settings.normalize_mean, std=settings.normalize_std))

    # Data processing to do on the training and validation pairs (16 proposals per test frame)
    proposal_params = {'min_iou': 0.1, 'boxes_per_frame': 16, 'sigma_factor': [0.01, 0.05, 0.1, 0.2, 0.3]}

    def atom_processing(transform):
        return processing.ATOMProcessing(search_area_factor=settings.search_area_factor,
                                         output_sz=settings.output_sz,
                                         center_jitter_factor=settings.center_jitter_factor,
                                         scale_jitter_factor=settings.scale_jitter_factor,
                                         mode='sequence',
                                         proposal_params=proposal_params,
                                         transform=transform,
                                         joint_transform=transform_joint)
    data_processing_train = atom_processing(transform_train)
    data_processing_val = atom_processing(transform_val)

    # The sampler for training
    dataset_train = sampler.ATOMSampler(train_datasets, train_weights,
                                        samples_per_epoch=1000 * settings.batch_size, max_gap=50,
                                        processing=data_processing_train)

    # The loader for training
    loader_train = LTRLoader('train', dataset_train, training=True, batch_size=settings.batch_size,
                             num_workers=settings.num_workers, shuffle=True, drop_last=True, stack_dim=1)

    # The sampler for validation
    dataset_val = sampler.ATOMSampler(val_datasets, [1] * len(val_datasets),
                                      samples_per_epoch=500 * settings.batch_size, max_gap=50,
                                      processing=data_processing_val)

    # The loader for validation
    loader_val = LTRLoader('val', dataset_val, training=False, batch_size=settings.batch_size,
                           num_workers=settings.num_workers, shuffle=False, drop_last=True, epoch_interval=5,
                           stack_dim=1)

    # Create network
    net = atom_models.atom_resnet18(backbone_pretrained=True)

    # Set objective
    objective = nn.MSELoss()

    # Create actor, which wraps network and objective
    actor = actors.AtomActor(net=net, objective=objective)

    # Optimizer: only the IoU predictor is trained
    optimizer = optim.Adam(actor.net.bb_regressor.parameters(), lr=1e-3)

    # Learning rate scheduler: x0.2 every 15 epochs
    lr_scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=15, gamma=0.2)

    # Create trainer
    trainer = LTRTrainer(actor, [loader_train, loader_val], optimizer, settings, lr_scheduler)

    # Run training (set fail_safe=False if you are debugging)
    trainer.train(50, load_latest=True, fail_safe=True)
