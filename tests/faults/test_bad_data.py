"""Bad training data, built in tmp_path from the demo data generator: a corrupt (truncated) JPEG, a missing frame,
an annotation file with a wrong column count or a NaN, an empty sequence, a sequence with no visible frame,
broken COCO entries.

The dataset gives a clear error naming the file (and line or annotation id); the sampler reports a bad sequence
with one logged warning, skips it and draws another sample; a dataset where nothing can be read stops with
BadDataError. Through a DataLoader with 2 workers nothing hangs (timeout)."""
import copy
import json
import logging
import os
import random
import shutil
import sys

import numpy as np
import pytest
import torch

from ltr.data.image_loader import ImageLoadError, opencv_loader
from ltr.data.loader import LTRLoader
from ltr.data.sampler import ATOMSampler, BadDataError
from ltr.dataset import Got10k, MSCOCOSeq
from ltr.dataset.annotation_io import AnnotationError
from pytracking.libs import TensorDict

pytestmark = pytest.mark.filterwarnings('ignore::DeprecationWarning:pycocotools')
COCO_JSON = os.path.join('annotations', 'instances_train2014.json')


@pytest.fixture(scope='module')
def small_demo(tmp_path_factory):
    from ltr.dataset import demo_data
    small = {'got10k_train': 4, 'got10k_camera': 1, 'got10k_val': 1, 'coco': 6}   # as few as the generator allows
    return demo_data.generate(str(tmp_path_factory.mktemp('small_demo')), seed=0, image_size=(64, 64),
                              frame_range=(20, 22), datasets=('got10k', 'coco'),
                              num_sequences={k: v for k, v in small.items() if k in demo_data.DEFAULT_COUNTS})


@pytest.fixture
def got10k(small_demo, tmp_path):
    root = tmp_path / 'got10k'
    names = open(os.path.join(small_demo, 'got10k', 'train', 'list.txt')).read().split()[:4]
    shutil.copytree(os.path.join(small_demo, 'got10k', 'train'), root,
                    ignore=lambda d, files: [f for f in files if f.startswith('GOT-10k_') and f not in names])
    (root / 'list.txt').write_text('\n'.join(names) + '\n')     # 4 sequences, whatever the generator's count
    return root, [root / name for name in names]


@pytest.fixture
def coco(small_demo, tmp_path):
    root = tmp_path / 'coco'
    shutil.copytree(os.path.join(small_demo, 'coco'), root)
    return root, json.loads((root / COCO_JSON).read_text())


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


def _summary(data):
    """A stand-in for ATOM's processing: the boxes and a checksum of the frames (frames vary in size)."""
    return TensorDict({'train_anno': torch.stack(list(data['train_anno'])),
                       'test_anno': torch.stack(list(data['test_anno'])),
                       'pixels': torch.tensor([float(np.mean(im))
                                               for im in data['train_images'] + data['test_images']])})


def _sampler(dataset, n=12):
    random.seed(0)
    return ATOMSampler([dataset], [1], samples_per_epoch=n, max_gap=5, processing=_summary)


def _break(seq, fault):
    """Damage one GOT-10k sequence; returns the file the error must name."""
    gt = seq / 'groundtruth.txt'
    if fault == 'corrupt jpeg':
        for f in sorted(seq.glob('*.jpg')):
            _truncate(f)
        return seq     # the error names the frame file it tried, in this folder
    if fault == 'missing frame':
        for f in sorted(seq.glob('*.jpg')):
            os.remove(f)
        return seq
    lines = gt.read_text().splitlines()
    if fault == 'wrong column count':
        lines[3] = ','.join(lines[3].split(',')[:3])
    elif fault == 'nan':
        lines[5] = 'nan,1,2,3'
    elif fault == 'empty sequence':
        lines = []
    gt.write_text('\n'.join(lines) + ('\n' if lines else ''))
    return gt


# --- the dataset names the file -----------------------------------------------------------------------------------
def test_truncated_jpeg_is_refused_naming_the_file(got10k):
    """OpenCV decodes a truncated JPEG 'successfully' (grey fill, only a libjpeg message on stderr)."""
    _, seqs = got10k
    frame = seqs[0] / '00000003.jpg'
    _truncate(frame)
    with pytest.raises(ImageLoadError, match="00000003.jpg'.*truncated JPEG"):
        opencv_loader(str(frame))
    with pytest.raises(ImageLoadError, match='00000003.jpg'):
        Got10k(str(got10k[0])).get_frames(0, [2])


@pytest.mark.parametrize('fault, message', [('wrong column count', 'line 4: expected 4 values'),
                                            ('nan', 'line 6: value'), ('empty sequence', 'empty')])
def test_bad_annotation_names_the_file_and_line(got10k, fault, message):
    root, seqs = got10k
    path = _break(seqs[1], fault)
    with pytest.raises(AnnotationError, match=message) as err:
        Got10k(str(root)).get_sequence_info(1)
    assert str(path) in str(err.value)


# --- the sampler goes on ------------------------------------------------------------------------------------------
@pytest.mark.parametrize('fault', ['corrupt jpeg', 'missing frame', 'wrong column count', 'nan', 'empty sequence'])
def test_sampler_warns_once_and_draws_another_sample(got10k, fault, caplog):
    root, seqs = got10k
    path = _break(seqs[0], fault)
    sampler = _sampler(Got10k(str(root)))
    caplog.set_level(logging.WARNING, logger='ltr.data.sampler')
    samples = [sampler[i] for i in range(40)]
    assert all(torch.isfinite(s['train_anno']).all() for s in samples)
    warnings = [r for r in caplog.records if r.name == 'ltr.data.sampler']
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert str(path) in warnings[0].getMessage() and 'skipping sequence 0' in warnings[0].getMessage()


def test_sequence_without_visible_frame_is_never_sampled(got10k, caplog):
    root, seqs = got10k
    n = len((seqs[2] / 'groundtruth.txt').read_text().split())
    (seqs[2] / 'absence.label').write_text('1\n' * n)
    dataset = Got10k(str(root))
    assert not dataset.get_sequence_info(2)['visible'].any()
    sampler = _sampler(dataset)
    pixel_means = {float(dataset.get_frames(2, [0])[0][0].mean())}
    for i in range(30):
        assert not pixel_means & set(sampler[i]['pixels'].tolist())
    assert not caplog.records       # valid data, just unusable: no warning


def test_dataset_where_nothing_can_be_read_stops_with_a_clear_error(got10k):
    root, seqs = got10k
    for seq in seqs:
        _break(seq, 'missing frame')
    with pytest.raises(BadDataError, match='(samples in a row could not be loaded|none of the 4 sequences).*jpg'):
        _sampler(Got10k(str(root)))[0]


@pytest.mark.parametrize('broken', [False, True])
def test_dataloader_with_two_workers_never_hangs(got10k, broken, capfd):
    root, seqs = got10k
    _break(seqs[0], 'corrupt jpeg')
    if broken:
        for seq in seqs[1:]:
            _break(seq, 'nan')
    loader = LTRLoader('train', _sampler(Got10k(str(root)), n=8), training=True, batch_size=2, num_workers=2,
                       timeout=60, stack_dim=0)
    # pytest's log capture would swallow the workers' records: send them to stderr, as without pytest.
    handler = logging.StreamHandler(sys.stderr)
    logging.getLogger('ltr.data.sampler').addHandler(handler)
    try:
        if broken:   # the worker's error reaches the main process (no hang, no silent empty epoch)
            batches = iter(loader)
            with pytest.raises(BadDataError, match='could not be loaded|can be read'):
                list(batches)
            # torch's worker shutdown after an error waits 5 s per worker (torch itself, not ours): skip the wait.
            for worker in getattr(batches, '_workers', []):
                worker.terminate()
            del batches
        else:
            batches = list(loader)
            assert len(batches) == 4 and all(b['train_anno'].shape == (2, 1, 4) for b in batches)
    finally:
        logging.getLogger('ltr.data.sampler').removeHandler(handler)
    err = capfd.readouterr().err
    assert 'skipping sequence 0' in err and 'GOT-10k_Train_000001' in err and 'truncated JPEG' in err
    assert err.count('skipping sequence 0') <= 2     # at most once per worker


# --- COCO -----------------------------------------------------------------------------------------------------------
def _write_coco(root, content):
    (root / COCO_JSON).write_text(content if isinstance(content, str) else json.dumps(content))


@pytest.mark.parametrize('fault, message', [
    ('truncated json', 'not a valid COCO annotation file'),
    ('unknown category', 'annotation id 1 has category_id 12345'),
    ('no id', "not a valid COCO annotation file .*'id'"),
])
def test_broken_coco_file_names_the_file(coco, fault, message):
    root, d = coco
    d = copy.deepcopy(d)
    if fault == 'truncated json':
        content = json.dumps(d)[:300]
    else:
        if fault == 'unknown category':
            d['annotations'][0]['category_id'] = 12345
        else:
            del d['annotations'][0]['id']
        content = d
    _write_coco(root, content)
    with pytest.raises(AnnotationError, match=message) as err:
        MSCOCOSeq(str(root))
    assert str(root / COCO_JSON) in str(err.value)


@pytest.mark.parametrize('fault, message', [
    ('no bbox', 'has bbox None'), ('bbox of strings', "has bbox \\['a'"), ('nan bbox', 'non-finite bbox'),
    ('unknown image', 'refers to image_id 999'), ('broken polygon', 'unreadable segmentation'),
    ('missing image file', 'COCO_train2014_000000000001.jpg'),
])
def test_broken_coco_entry_is_named_then_skipped_by_the_sampler(coco, fault, message, caplog):
    root, d = coco
    a = d['annotations'][0]
    if fault == 'no bbox':
        del a['bbox']
    elif fault == 'bbox of strings':
        a['bbox'] = ['a', 2, 3, 4]
    elif fault == 'nan bbox':
        a['bbox'] = [1, 2, float('nan'), 3]
    elif fault == 'unknown image':
        a['image_id'] = 999
    elif fault == 'broken polygon':
        a['segmentation'] = [[1, 2]]
    elif fault == 'missing image file':
        os.remove(root / 'images' / 'train2014' / d['images'][0]['file_name'])
    _write_coco(root, d)
    dataset = MSCOCOSeq(str(root))
    seq = dataset.sequence_list.index(a['id'])
    with pytest.raises((AnnotationError, ImageLoadError), match=message):
        dataset.get_frames(seq, [1], dataset.get_sequence_info(seq))
    sampler = _sampler(dataset)
    caplog.set_level(logging.WARNING, logger='ltr.data.sampler')
    for i in range(40):
        assert torch.isfinite(sampler[i]['train_anno']).all()
    warnings = [r.getMessage() for r in caplog.records if r.name == 'ltr.data.sampler']
    # one warning per broken sequence (several objects may share the missing image)
    assert warnings and all('skipping sequence' in w and message.replace('\\', '') in w for w in warnings)
    assert len(warnings) == len(set(warnings))
