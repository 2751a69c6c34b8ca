"""ATOMSampler + ATOMProcessing + LTRLoader(stack_dim=1) with ATOM's training settings.

Checks pytracking's batch layout and that `proposal_iou` is the IoU of the proposals with `test_anno`
(recomputed here in numpy), above `min_iou`. Runs on tiny in-memory datasets and, when the dataset classes and
the demo data exist, on the four training datasets of `ltr/train_settings/bbreg/atom.py`.
"""
import importlib
import os
import random
import warnings

import numpy as np
import pytest
import torch

import ltr.data.transforms as tfm
from ltr.data import LTRLoader, processing, sampler

BATCH = 2
MIN_IOU = 0.1


def numpy_iou(box, proposals):
    """IoU of one [x, y, w, h] box with each row of proposals, in corner form."""
    x1 = np.maximum(box[0], proposals[:, 0])
    y1 = np.maximum(box[1], proposals[:, 1])
    x2 = np.minimum(box[0] + box[2], proposals[:, 0] + proposals[:, 2])
    y2 = np.minimum(box[1] + box[3], proposals[:, 1] + proposals[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    return inter / (box[2] * box[3] + proposals[:, 2] * proposals[:, 3] - inter)


def atom_processing(train=True):
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    transform_joint = tfm.Transform(tfm.ToGrayscale(probability=0.05))
    if train:
        transform = tfm.Transform(tfm.ToTensorAndJitter(0.2), tfm.Normalize(mean=mean, std=std))
    else:
        transform = tfm.Transform(tfm.ToTensor(), tfm.Normalize(mean=mean, std=std))
    return processing.ATOMProcessing(search_area_factor=5.0, output_sz=288,
                                     center_jitter_factor={'train': 0, 'test': 4.5},
                                     scale_jitter_factor={'train': 0, 'test': 0.5}, mode='sequence',
                                     proposal_params={'min_iou': MIN_IOU, 'boxes_per_frame': 16,
                                                      'sigma_factor': [0.01, 0.05, 0.1, 0.2, 0.3]},
                                     transform=transform, joint_transform=transform_joint)


def check_batch(batch, batch_size=BATCH):
    assert batch['train_images'].shape == (1, batch_size, 3, 288, 288)
    assert batch['test_images'].shape == (1, batch_size, 3, 288, 288)
    assert batch['train_anno'].shape == (1, batch_size, 4)
    assert batch['test_anno'].shape == (1, batch_size, 4)
    assert batch['test_proposals'].shape == (1, batch_size, 16, 4)
    assert batch['proposal_iou'].shape == (1, batch_size, 16)
    assert len(batch['dataset']) == batch_size and len(batch['test_class']) == batch_size
    assert torch.isfinite(batch['train_images']).all() and torch.isfinite(batch['test_images']).all()

    for b in range(batch_size):
        anno = batch['test_anno'][0, b].double().numpy()
        props = batch['test_proposals'][0, b].double().numpy()
        iou = numpy_iou(anno, props)
        assert np.allclose((batch['proposal_iou'][0, b].double().numpy() + 1) / 2, iou, atol=1e-5)
        assert (iou > MIN_IOU).all()

    # train crops are not jittered: the target sits in the centre with area (288/5)^2
    train_anno = batch['train_anno'][0]
    centre = train_anno[:, :2] + 0.5 * train_anno[:, 2:]
    assert torch.allclose(centre, torch.full_like(centre, 143.5), atol=1e-3)
    assert torch.allclose(train_anno[:, 2:].prod(-1).sqrt(), torch.full((batch_size,), 288 / 5), rtol=0.05)


def test_pipeline_on_tiny_datasets(fake_video_dataset, fake_image_dataset):
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    vid = fake_video_dataset('vid', [30, 40], image_size=(96, 128), textured=True)
    img = fake_image_dataset('img', 3, image_size=(96, 128), textured=True)
    dataset_train = sampler.ATOMSampler([vid, img], [1, 1], samples_per_epoch=2 * BATCH, max_gap=50,
                                        processing=atom_processing())
    loader = LTRLoader('train', dataset_train, training=True, batch_size=BATCH, num_workers=0, shuffle=True,
                       drop_last=True, stack_dim=1)
    batches = list(loader)
    assert len(batches) == 2
    for batch in batches:
        check_batch(batch)
        assert set(batch['dataset']) <= {'vid', 'img'}


def test_pair_mode_returns_single_frames(fake_video_dataset):
    random.seed(1)
    proc = atom_processing(train=False)
    proc.mode = 'pair'
    s = sampler.ATOMSampler([fake_video_dataset('vid', [30], image_size=(96, 128), textured=True)], [1], 4, 50,
                            processing=proc)[0]
    assert s['train_images'].shape == (3, 288, 288) and s['test_proposals'].shape == (16, 4)
    assert s['proposal_iou'].shape == (16,)


def _dataset_classes():
    names = {'Lasot': 'ltr.dataset.lasot', 'Got10k': 'ltr.dataset.got10k', 'TrackingNet': 'ltr.dataset.tracking_net',
             'MSCOCOSeq': 'ltr.dataset.coco_seq'}
    out = {}
    for cls, mod in names.items():
        try:
            out[cls] = getattr(importlib.import_module(mod), cls)
        except (ImportError, AttributeError):
            pytest.skip('{} not available yet'.format(mod))
    return out


def test_pipeline_on_demo_training_datasets(demo_data_root):
    classes = _dataset_classes()
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    r = demo_data_root
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # "N of 1120 split sequences are missing" etc.: the demo data is small
        # the datasets exactly as ltr/train_settings/bbreg/atom.py builds them
        datasets = [classes['Lasot'](os.path.join(r, 'lasot'), split='train'),
                    classes['Got10k'](os.path.join(r, 'got10k', 'train'), split='vottrain'),
                    classes['TrackingNet'](os.path.join(r, 'trackingnet'), set_ids=list(range(4))),
                    classes['MSCOCOSeq'](os.path.join(r, 'coco'))]
    # every dataset on its own (so each one is certainly exercised) ...
    for ds in datasets:
        loader = LTRLoader('train', sampler.ATOMSampler([ds], [1], samples_per_epoch=BATCH, max_gap=50,
                                                        processing=atom_processing()),
                           training=True, batch_size=BATCH, shuffle=True, drop_last=True, stack_dim=1)
        batch = next(iter(loader))
        check_batch(batch)
        assert batch['dataset'] == [ds.get_name()] * BATCH
    # ... and the 1:1:1:1 mixture of atom.py, validation-style processing
    dataset_train = sampler.ATOMSampler(datasets, [1, 1, 1, 1], samples_per_epoch=BATCH, max_gap=50,
                                        processing=atom_processing(train=False))
    batch = next(iter(LTRLoader('val', dataset_train, training=False, batch_size=BATCH, drop_last=True,
                                epoch_interval=5, stack_dim=1)))
    check_batch(batch)


def test_processed_boxes_sit_on_the_target_pixels(fake_video_dataset):
    """The jittered, cropped and resized test box must cover the painted target in the 288x288 crop."""
    random.seed(2)
    np.random.seed(2)
    torch.manual_seed(2)
    ds = fake_video_dataset('painted', [30], image_size=(160, 200), painted=True)
    proc = processing.ATOMProcessing(search_area_factor=5.0, output_sz=288,
                                     center_jitter_factor={'train': 0, 'test': 4.5},
                                     scale_jitter_factor={'train': 0, 'test': 0.5}, mode='sequence',
                                     proposal_params={'min_iou': MIN_IOU, 'boxes_per_frame': 4, 'sigma_factor': 0.1},
                                     transform=tfm.Transform(tfm.ToTensor()))
    smp = sampler.ATOMSampler([ds], [1], samples_per_epoch=1, max_gap=50, processing=proc)
    for _ in range(12):
        s = smp[0]
        for key in ('train', 'test'):
            crop = s[key + '_images'][0]
            box = s[key + '_anno'][0]
            mask = crop[0] > 0.5
            ys, xs = torch.nonzero(mask, as_tuple=True)
            content = torch.tensor([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=torch.float32)
            corners = torch.cat((box[:2], box[:2] + box[2:])).clamp(0, 288)  # the target may leave the crop
            # resize factor of this crop (crop box size / image box size); resampling and pytracking's
            # pixel-centre offset shift edges by up to about one source pixel
            rf = box[3].item() / 16.0  # every painted target is 16 pixels high
            assert torch.allclose(corners, content, atol=rf + 1.5), (key, corners, content, rf)
