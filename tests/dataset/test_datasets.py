"""Each dataset class reads the demo data in its real on-disk format; the expectations are computed here from the
files with numpy / pandas / configparser / json, independently of the dataset code."""
import configparser
import json
import os
import random
import shutil
import warnings

import cv2
import numpy as np
import pandas as pd
import pytest
import torch

from ltr.dataset import Got10k, Lasot, MSCOCOSeq, TrackingNet
from ltr.dataset.annotation_io import AnnotationError

DATA_SPECS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'ltr',
                          'data_specs')


def _boxes(path):
    return pd.read_csv(path, header=None, dtype=np.float64).values


def _image(path):
    return cv2.imread(path, cv2.IMREAD_COLOR)[..., ::-1]


def _check_frames(ds, seq_id, frame_paths, expected):
    """get_frames on the first, a middle and the last frame, against files read with OpenCV and `expected`."""
    n = len(frame_paths)
    ids = [0, n // 2, n - 1]
    frames, anno, meta = ds.get_frames(seq_id, ids)
    assert len(frames) == 3
    for f, i in zip(frames, ids):
        np.testing.assert_array_equal(f, _image(frame_paths[i]))
    for key, value in expected.items():
        assert key in anno, key
        for k, i in enumerate(ids):
            np.testing.assert_allclose(np.asarray(anno[key][k], dtype=np.float64), np.asarray(value[i], np.float64))
    return meta


# --------------------------------------------------------------------------------------------------------------------
# GOT-10k
# --------------------------------------------------------------------------------------------------------------------
def test_got10k_matches_files(demo_data_root):
    root = os.path.join(demo_data_root, 'got10k', 'train')
    ds = Got10k(root)
    names = [line.strip() for line in open(os.path.join(root, 'list.txt')) if line.strip()]
    assert ds.sequence_list == names and ds.get_name() == 'got10k' and len(ds) == len(names)
    assert ds.has_class_info() and ds.has_occlusion_info() and ds.is_video_sequence()
    seen_invisible = False
    for seq_id, name in enumerate(names):
        d = os.path.join(root, name)
        gt = _boxes(os.path.join(d, 'groundtruth.txt'))
        absence = np.loadtxt(os.path.join(d, 'absence.label'), dtype=int)
        cover = np.loadtxt(os.path.join(d, 'cover.label'), dtype=int)
        info = ds.get_sequence_info(seq_id)
        np.testing.assert_array_equal(info['bbox'].numpy(), gt)
        assert info['bbox'].dtype == torch.float32
        valid = (gt[:, 2] > 0) & (gt[:, 3] > 0)
        visible = (absence == 0) & (cover > 0) & valid
        np.testing.assert_array_equal(info['valid'].numpy(), valid)
        np.testing.assert_array_equal(info['visible'].numpy().astype(bool), visible)
        np.testing.assert_allclose(info['visible_ratio'].numpy(), cover / 8)
        seen_invisible |= not visible.all()

        meta_file = configparser.ConfigParser()
        meta_file.read(os.path.join(d, 'meta_info.ini'))
        m = meta_file['METAINFO']
        frames = sorted(f for f in os.listdir(d) if f.endswith('.jpg'))
        assert frames[0] == '00000001.jpg' and len(frames) == len(gt)
        meta = _check_frames(ds, seq_id, [os.path.join(d, f) for f in frames],
                             {'bbox': gt, 'visible': visible, 'visible_ratio': cover / 8})
        assert dict(meta) == {'object_class_name': m['object_class'], 'motion_class': m['motion_class'],
                              'major_class': m['major_class'], 'root_class': m['root_class'],
                              'motion_adverb': m['motion_adverb']}
        assert seq_id in ds.get_sequences_in_class(m['object_class'])
        assert ds.get_class_name(seq_id) == m['object_class']
    assert seen_invisible  # the demo data has absent / fully covered frames
    assert ds.class_list == sorted(ds.seq_per_class)


def test_got10k_splits_follow_the_split_files(demo_data_root):
    root = os.path.join(demo_data_root, 'got10k', 'train')
    names = [line.strip() for line in open(os.path.join(root, 'list.txt')) if line.strip()]
    for split, file in [('vottrain', 'got10k_vot_train_split.txt'), ('votval', 'got10k_vot_val_split.txt'),
                        ('train', 'got10k_train_split.txt'), ('val', 'got10k_val_split.txt')]:
        ids = np.loadtxt(os.path.join(DATA_SPECS, file), dtype=int)
        expected = [names[i] for i in ids if i < len(names)]
        with pytest.warns(RuntimeWarning, match='beyond the {} sequences'.format(len(names))):
            ds = Got10k(root, split=split)
        assert ds.sequence_list == expected
    assert Got10k(root, split='train_full').sequence_list == names
    assert Got10k(root, seq_ids=[3, 1]).sequence_list == [names[3], names[1]]
    with pytest.raises(ValueError, match='Cannot set both'):
        Got10k(root, split='train', seq_ids=[0])
    with pytest.raises(ValueError, match='Unknown split'):
        Got10k(root, split='test')
    with pytest.raises(IndexError, match='list.txt'):
        Got10k(root, seq_ids=[len(names)])
    random.seed(0)
    assert len(Got10k(root, data_fraction=0.5)) == len(names) // 2


# --------------------------------------------------------------------------------------------------------------------
# LaSOT
# --------------------------------------------------------------------------------------------------------------------
def test_lasot_matches_files(demo_data_root):
    root = os.path.join(demo_data_root, 'lasot')
    split = set(np.loadtxt(os.path.join(DATA_SPECS, 'lasot_train_split.txt'), dtype=str))
    on_disk = sorted(s for c in os.listdir(root) for s in os.listdir(os.path.join(root, c)))
    assert on_disk and set(on_disk) <= split
    with pytest.warns(RuntimeWarning, match='missing'):
        ds = Lasot(root, split='train')
    assert sorted(ds.sequence_list) == on_disk
    assert ds.get_name() == 'lasot' and ds.class_list == sorted(os.listdir(root))
    seen_occ = seen_oov = False
    for seq_id, name in enumerate(ds.sequence_list):
        cls = name.rsplit('-', 1)[0]
        d = os.path.join(root, cls, name)
        gt = _boxes(os.path.join(d, 'groundtruth.txt'))
        occ = np.loadtxt(os.path.join(d, 'full_occlusion.txt'), delimiter=',', dtype=int)
        oov = np.loadtxt(os.path.join(d, 'out_of_view.txt'), delimiter=',', dtype=int)
        valid = (gt[:, 2] > 0) & (gt[:, 3] > 0)
        visible = (occ == 0) & (oov == 0) & valid
        info = ds.get_sequence_info(seq_id)
        np.testing.assert_array_equal(info['bbox'].numpy(), gt)
        np.testing.assert_array_equal(info['visible'].numpy().astype(bool), visible)
        np.testing.assert_array_equal(info['valid'].numpy(), valid)
        seen_occ |= bool(occ.any())
        seen_oov |= bool(oov.any())
        frames = sorted(os.listdir(os.path.join(d, 'img')))
        assert frames[0] == '00000001.jpg' and len(frames) == len(gt)
        meta = _check_frames(ds, seq_id, [os.path.join(d, 'img', f) for f in frames], {'bbox': gt, 'visible': visible})
        assert meta['object_class_name'] == cls == ds.get_class_name(seq_id)
        assert seq_id in ds.get_sequences_in_class(cls)
    assert seen_occ and seen_oov


def test_lasot_vid_ids_and_errors(demo_data_root):
    root = os.path.join(demo_data_root, 'lasot')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ds = Lasot(root, vid_ids=[10])
    expected = sorted(c + '-10' for c in os.listdir(root) if os.path.isdir(os.path.join(root, c, c + '-10')))
    assert sorted(ds.sequence_list) == expected
    with pytest.raises(ValueError, match='Set either'):
        Lasot(root)
    with pytest.raises(ValueError, match='Cannot set both'):
        Lasot(root, split='train', vid_ids=[1])
    with pytest.raises(FileNotFoundError, match='none of its'):
        Lasot(root, vid_ids=[999])


# --------------------------------------------------------------------------------------------------------------------
# TrackingNet
# --------------------------------------------------------------------------------------------------------------------
def test_trackingnet_matches_files(demo_data_root):
    root = os.path.join(demo_data_root, 'trackingnet')
    classmap = pd.read_csv(os.path.join(DATA_SPECS, 'trackingnet_classmap.txt'), sep='\t', header=None,
                           names=['video', 'cls'], keep_default_na=False)
    classmap = dict(zip(classmap.video, classmap.cls))
    sets = sorted(int(d.split('_')[1]) for d in os.listdir(root))
    ds = TrackingNet(root, set_ids=sets)
    expected = sorted((s, f[:-4]) for s in sets for f in os.listdir(os.path.join(root, 'TRAIN_%d' % s, 'anno')))
    assert sorted(ds.sequence_list) == expected and ds.get_name() == 'trackingnet'
    assert 'Unknown' in ds.class_list  # the demo has one video missing from the class map
    for seq_id, (s, video) in enumerate(ds.sequence_list):
        gt = _boxes(os.path.join(root, 'TRAIN_%d' % s, 'anno', video + '.txt'))
        valid = (gt[:, 2] > 0) & (gt[:, 3] > 0)
        info = ds.get_sequence_info(seq_id)
        np.testing.assert_array_equal(info['bbox'].numpy(), gt)
        np.testing.assert_array_equal(info['visible'].numpy().astype(bool), valid)
        frame_dir = os.path.join(root, 'TRAIN_%d' % s, 'frames', video)
        assert sorted(os.listdir(frame_dir), key=lambda f: int(f[:-4]))[0] == '0.jpg'
        frames = [os.path.join(frame_dir, '%d.jpg' % i) for i in range(len(gt))]
        meta = _check_frames(ds, seq_id, frames, {'bbox': gt, 'visible': valid})
        cls = classmap.get(video, 'Unknown')
        assert meta['object_class_name'] == cls == ds.get_class_name(seq_id)
        assert seq_id in ds.get_sequences_in_class(cls)
    with pytest.raises(FileNotFoundError, match='TRAIN_7'):
        TrackingNet(root, set_ids=[0, 7])


# --------------------------------------------------------------------------------------------------------------------
# COCO
# --------------------------------------------------------------------------------------------------------------------
def test_coco_matches_json(demo_data_root):
    root = os.path.join(demo_data_root, 'coco')
    with open(os.path.join(root, 'annotations', 'instances_train2014.json')) as f:
        doc = json.load(f)
    images = {im['id']: im for im in doc['images']}
    cats = {c['id']: c for c in doc['categories']}
    anns = [a for a in doc['annotations'] if a['iscrowd'] == 0]
    ds = MSCOCOSeq(root)
    assert not ds.is_video_sequence() and ds.has_segmentation_info() and ds.get_name() == 'coco'
    assert len(ds) == len(anns) and sorted(ds.class_list) == sorted(c['name'] for c in doc['categories'])
    by_id = {a['id']: a for a in anns}
    for seq_id, ann_id in enumerate(ds.sequence_list):
        a = by_id[ann_id]
        info = ds.get_sequence_info(seq_id)
        np.testing.assert_array_equal(info['bbox'].numpy(), np.array([a['bbox']], np.float32))
        im = images[a['image_id']]
        assert info['mask'].shape == (1, im['height'], im['width'])
        # the polygon mask lies inside its box
        ys, xs = np.nonzero(info['mask'][0].numpy())
        x, y, w, h = a['bbox']
        assert xs.min() >= x - 1 and xs.max() <= x + w and ys.min() >= y - 1 and ys.max() <= y + h
        frames, anno, meta = ds.get_frames(seq_id, [0, 0, 5])
        expected_img = _image(os.path.join(root, 'images', 'train2014', im['file_name']))
        assert len(frames) == 3 and all((f == expected_img).all() for f in frames)
        assert frames[0] is not frames[1]
        assert all(b.tolist() == a['bbox'] for b in anno['bbox'])
        assert meta['object_class_name'] == cats[a['category_id']]['name'] == ds.get_class_name(seq_id)
        assert meta['major_class'] == cats[a['category_id']]['supercategory']
        assert seq_id in ds.get_sequences_in_class(meta['object_class_name'])
    with pytest.raises(FileNotFoundError, match='instances_val2017.json'):
        MSCOCOSeq(root, split='val', version='2017')


# --------------------------------------------------------------------------------------------------------------------
# roots and malformed annotation files
# --------------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('cls,attr', [(Lasot, 'lasot_dir'), (Got10k, 'got10k_dir'), (TrackingNet, 'trackingnet_dir'),
                                      (MSCOCOSeq, 'coco_dir')])
def test_unset_root_names_the_setting(cls, attr, monkeypatch, tmp_path):
    monkeypatch.setenv('LTR_' + attr.upper(), '')
    with pytest.raises(ValueError, match='{}.*LTR_{}'.format(attr, attr.upper())):
        cls(split='train') if cls is Lasot else cls()
    monkeypatch.setenv('LTR_' + attr.upper(), str(tmp_path / 'nowhere'))
    with pytest.raises(FileNotFoundError, match='nowhere'):
        cls(split='train') if cls is Lasot else cls()


def test_root_from_environment(demo_env):
    assert len(Got10k()) == len(Got10k(os.path.join(demo_env, 'got10k', 'train')))


@pytest.fixture
def got10k_copy(demo_data_root, tmp_path):
    src = os.path.join(demo_data_root, 'got10k', 'train')
    dst = tmp_path / 'got10k'
    shutil.copytree(src, dst)
    first = open(dst / 'list.txt').readline().strip()
    return dst, dst / first


@pytest.mark.parametrize('content,message', [
    ('1,2,3,4\n5,6,7\n', 'line 2: expected 4 values'),
    ('1,2,3,4\n5,6,nan,8\n', 'line 2: value'),
    ('1,2,3,4\n5,6,abc,8\n', "line 2: 'abc' is not a number"),
    ('', 'empty'),
])
def test_malformed_groundtruth_names_file_and_line(got10k_copy, content, message):
    root, seq = got10k_copy
    (seq / 'groundtruth.txt').write_text(content)
    ds = Got10k(str(root))
    with pytest.raises(AnnotationError, match=message) as info:
        ds.get_sequence_info(0)
    assert str(seq / 'groundtruth.txt') in str(info.value)


def test_label_file_with_wrong_length_or_value_is_rejected(got10k_copy):
    root, seq = got10k_copy
    n = len(open(seq / 'groundtruth.txt').read().splitlines())
    (seq / 'cover.label').write_text('8\n' * (n - 1))
    with pytest.raises(AnnotationError, match='cover.label: {} entries'.format(n - 1)):
        Got10k(str(root)).get_sequence_info(0)
    (seq / 'cover.label').write_text('8\n' * (n - 1) + '9\n')
    with pytest.raises(AnnotationError, match='cover.label, line {}: value 9 is out of range'.format(n)):
        Got10k(str(root)).get_sequence_info(0)


def test_missing_frame_names_the_file(got10k_copy):
    root, seq = got10k_copy
    os.remove(seq / '00000002.jpg')
    with pytest.raises(OSError, match='00000002.jpg'):
        Got10k(str(root)).get_frames(0, [1])
