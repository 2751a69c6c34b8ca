"""ATOM training as in the paper (CVPR 2019): LaSOT + TrackingNet (sets 0-10) + COCO, validation on
TrackingNet set 11. (The paper states a max frame gap of 100; pytracking's code uses 50, kept here.)

Only the IoU predictor (bb_regressor) is trained; the ImageNet ResNet-18 backbone stays frozen. Everything but the
datasets is atom.py's recipe (`train_atom`).
"""
from ltr.dataset import Lasot, MSCOCOSeq, TrackingNet
from ltr.train_settings.bbreg.atom import train_atom
from ltr.train_settings.required_paths import require_dataset_dirs


def run(settings):
    # Fail early, with the names of the settings to fill in, rather than deep inside a dataset class.
    require_dataset_dirs(settings, 'lasot_dir', 'trackingnet_dir', 'coco_dir')
    settings.description = 'ATOM IoUNet with default settings according to the paper.'

    # Train datasets
    lasot_train = Lasot(settings.env.lasot_dir, split='train')
    trackingnet_train = TrackingNet(settings.env.trackingnet_dir, set_ids=list(range(11)))
    coco_train = MSCOCOSeq(settings.env.coco_dir)

    # Validation datasets
    trackingnet_val = TrackingNet(settings.env.trackingnet_dir, set_ids=list(range(11, 12)))

    train_atom(settings, [lasot_train, trackingnet_train, coco_train], [1, 1, 1], [trackingnet_val])
