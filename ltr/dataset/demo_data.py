"""Embedded demo data: small but realistic tracking datasets written in the REAL on-disk formats.

    python -m ltr.dataset.demo_data --out data/demo --seed 0

writes, under the output folder (all boxes are exact integers, x, y, w, h, 0-based pixels):

    got10k/train/list.txt, got10k/train/GOT-10k_Train_000001/{00000001.jpg, groundtruth.txt, absence.label,
        cover.label, cut_by_image.label, meta_info.ini}            (Got10k: root = got10k/train)
    got10k/val/...                                                (evaluation split, same layout)
    lasot/<class>/<class>-<n>/{img/00000001.jpg, groundtruth.txt, full_occlusion.txt, out_of_view.txt, nlp.txt}
    trackingnet/TRAIN_<s>/{anno/<video>.txt, frames/<video>/0.jpg ...}     (0-based, unpadded)
    coco/images/train2014/COCO_train2014_<id:012d>.jpg, coco/annotations/instances_train2014.json
    otb/<Sequence>/{img/0001.jpg, groundtruth_rect.txt}, otb/sequences.json
    otb_real/<Sequence>/{img/0001.jpg, groundtruth_rect.txt}, otb_real/sequences.json    (real footage, below)
    vot/list.txt, vot/<Sequence>/{color/00000001.jpg, groundtruth.txt, sequence}  (only with --datasets vot:
        the otb_real sequences in the VOT toolkit layout, for `make vot-demo`)
    demo_manifest.json                                            (configuration + per-sequence attributes)

Sequences are built from real photographs shipped with scikit-image (see `demo_sources`). Training datasets
(GOT-10k train, LaSOT, TrackingNet, COCO) and evaluation datasets (OTB, GOT-10k val) use disjoint target patches.
Besides the 9 named training objects, most GOT-10k train sequences and COCO objects are random crops of the photos
(class 'object'): the IoU-Net needs many different objects to learn where an object ends (see atom_demo.py).
Output is deterministic for a given seed and configuration.

otb_real is the real-footage part of the demo benchmark (`demo_camera`): real photographs filmed by a virtual
hand-held camera (pan, shake, 1.7-2.5x zoom, a few degrees of rotation, exposure drift, motion blur, JPEG), the
target being an object of the photo itself; its boxes follow exactly from the camera transform. Its target regions
are kept out of every training target (named and random patches).

Label conventions (ours, chosen to match the official meaning of each file):
- boxes are the tight box of the target's pixels inside the image (the target rectangle unless the image border
  cuts it); all-zero when the target is fully out of view; a fully
  occluded target keeps its box;
- GOT-10k: absence = target invisible (fully occluded or out of view); cover = 0 if invisible, 8 if fully visible,
  else ceil(8 * visible_ratio) clipped to 1..7; cut_by_image = rectangle partly outside the image;
- LaSOT: full_occlusion = inside the image but fully covered; out_of_view = entirely outside the image;
- OTB sequences never leave the image and keep x, y >= 2 (pytracking counts GT with x or y <= 0 as invalid);
  otb_real targets keep x, y >= 2 too and leave the frame only partly, over the right/bottom border, in the
  few frames of its `partial_out_of_view` sequence.
"""
import argparse
import dataclasses
import json
import os
import shutil
import sys
import tempfile
import time

import cv2
import numpy as np

from ltr.admin.atomic_io import atomic_write_text
from ltr.dataset.demo_camera import REAL_PLAN, real_target, render_real_sequence, training_camera_sequences
from ltr.dataset.demo_scenes import SequenceSpec, render_sequence
from ltr.dataset.demo_sources import (
    BACKGROUNDS,
    EVAL_PATCHES,
    TRAIN_PATCHES,
    random_train_patches,
    superellipse_mask,
    superellipse_polygon,
)

# 2: otb_real added; random training patches also avoid the real-footage target regions.
# 3: GOT-10k train also holds sequences filmed by the virtual camera (got10k_camera).
FORMAT_VERSION = 3
DATASETS = ('got10k', 'lasot', 'trackingnet', 'coco', 'otb', 'otb_real')
# Written only when asked for (not part of the default set): a VOT-layout copy of otb_real.
OPTIONAL_DATASETS = ('vot',)
MANIFEST = 'demo_manifest.json'
DEFAULT_COUNTS = {'got10k_train': 64, 'got10k_camera': 96, 'got10k_val': 3, 'lasot': 8, 'trackingnet': 6, 'coco': 96,
                  'otb': 8, 'otb_real': len(REAL_PLAN)}
# GOT-10k train sequences beyond the named TRAIN_PATCHES, and COCO objects with probability COCO_RANDOM_OBJECT_P,
# use random patches (`demo_sources.random_train_patches`): object variety the IoU-Net needs to generalise.
COCO_RANDOM_OBJECT_P = 0.75
# COCO category of the random patches (not a real COCO id: real ones end at 90).
COCO_RANDOM_CATEGORY = (91, 'object', 'object')

_DATA_SPECS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'data_specs')

# Attribute mixes cycled over the training sequences, so every dataset shows every hard case.
_TRAIN_PRESETS = (
    ('camera_motion', 'scale_change'),
    ('occlusion',),
    ('full_occlusion',),
    ('out_of_view',),
    ('distractors',),
    ('illumination', 'motion_blur'),
    ('grayscale', 'aspect_change'),
    ('scale_change', 'aspect_change', 'camera_motion'),
)
_EXTRA_ATTRIBUTES = ('camera_motion', 'illumination', 'distractors', 'aspect_change')

# OTB demo sequences: (real OTB name, eval patch, attributes). Names are real OTB names so OTB tools (e.g. the
# got10k toolkit) index them; several have strong scale change (IoU-Net refinement vs multiscale comparisons).
_OTB_PLAN = (
    ('CarScale', 'shuttle', ('scale_change', 'camera_motion')),
    ('Dog1', 'front_wheel', ('scale_change', 'aspect_change')),
    ('FaceOcc1', 'astronaut_badge', ('occlusion',)),
    ('Coke', 'coin_x', ('distractors',)),
    ('Trellis', 'cells', ('illumination', 'camera_motion')),
    ('BlurOwl', 'cat_eye', ('motion_blur',)),
    ('Vase', 'spoon', ('grayscale', 'scale_change')),
    ('Woman', 'coin_y', ('full_occlusion', 'scale_change')),
)
_GOT10K_VAL_PLAN = (
    ('shuttle', ('camera_motion', 'scale_change')),
    ('clock', ('occlusion', 'illumination')),
    ('cat_eye', ('distractors', 'aspect_change')),
)


# ----------------------------------------------------------------------------------------------------------------
# small writers (everything is written into a staging folder that is moved into place at the end)
# ----------------------------------------------------------------------------------------------------------------
def _write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def _write_jpeg(path, rgb, quality=92):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not cv2.imwrite(path, np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, quality]):
        raise OSError('demo_data: could not write image {}'.format(path))


def _boxes_text(boxes, fmt):
    return ''.join(','.join(fmt % v for v in b) + '\n' for b in boxes)


def _cover_label(visible_ratio):
    r = np.asarray(visible_ratio)
    cover = np.clip(np.ceil(r * 8), 1, 7).astype(int)
    cover[r <= 0] = 0
    cover[r >= 1] = 8
    return cover


def _sequence_record(name, spec, seq, **extra):
    rec = {'name': name, 'patch': spec.patch.name, 'background': spec.background, 'num_frames': spec.num_frames,
           'attributes': list(seq.attributes),
           'num_out_of_view': int(seq.out_of_view.sum()), 'num_full_occlusion': int(seq.full_occlusion.sum()),
           'min_visible_ratio': round(float(seq.visible_ratio.min()), 4),
           'scale_ratio_last_first': round(float(np.sqrt(np.prod(seq.box_full[-1, 2:]) /
                                                          np.prod(seq.box_full[0, 2:]))), 4)}
    rec.update(extra)
    return rec


class _Planner:
    """Deterministic choice of patches, backgrounds, lengths and attributes for one dataset."""

    def __init__(self, seed, dataset_index, image_size, frame_range):
        self.rng = np.random.default_rng([seed, dataset_index])
        self.seed, self.dataset_index = seed, dataset_index
        self.image_size, self.frame_range = tuple(image_size), frame_range
        self.count = 0
        # Backgrounds are dealt from a shuffled deck, so one dataset does not reuse a photo before using them all.
        self.backgrounds = [BACKGROUNDS[i] for i in self.rng.permutation(len(BACKGROUNDS))]

    def spec(self, name, patch, attributes=None):
        i = self.count
        self.count += 1
        if attributes is None:
            attributes = _TRAIN_PRESETS[(i + self.dataset_index) % len(_TRAIN_PRESETS)]
            if self.rng.random() < 0.35:
                attributes = tuple(attributes) + (_EXTRA_ATTRIBUTES[self.rng.integers(len(_EXTRA_ATTRIBUTES))],)
        lo, hi = self.frame_range
        return SequenceSpec(name=name, patch=patch, background=self.backgrounds[i % len(self.backgrounds)],
                            num_frames=int(self.rng.integers(lo, hi + 1)), image_size=self.image_size,
                            attributes=tuple(attributes), seed=(self.seed, self.dataset_index, i))


# ----------------------------------------------------------------------------------------------------------------
# one writer per format
# ----------------------------------------------------------------------------------------------------------------
def _write_got10k_split(root, prefix, plan):
    """plan: list of (SequenceSpec, patch). Returns manifest records."""
    names, records = [], []
    for k, spec in enumerate(plan, start=1):
        name = '{}_{:06d}'.format(prefix, k)
        spec.name = name
        seq = render_sequence(spec)
        d = os.path.join(root, name)
        for i, frame in enumerate(seq.frames):
            _write_jpeg(os.path.join(d, '{:08d}.jpg'.format(i + 1)), frame)
        absent = seq.out_of_view | seq.full_occlusion
        _write_text(os.path.join(d, 'groundtruth.txt'), _boxes_text(seq.box, '%.4f'))
        _write_text(os.path.join(d, 'absence.label'), ''.join('%d\n' % v for v in absent.astype(int)))
        _write_text(os.path.join(d, 'cover.label'), ''.join('%d\n' % v for v in _cover_label(seq.visible_ratio)))
        _write_text(os.path.join(d, 'cut_by_image.label'), ''.join('%d\n' % v for v in seq.cut_by_image.astype(int)))
        obj, motion, major, root_cls, adverb = spec.patch.got10k_meta
        W, H = spec.image_size
        _write_text(os.path.join(d, 'meta_info.ini'),
                    '[METAINFO]\n'
                    'url: none (synthetic demo sequence, patch {} over {})\n'
                    'begin: 00:00:00\n'
                    'end: 00:00:{:02d}\n'
                    'anno_fps: 10Hz\n'
                    'object_class: {}\n'
                    'motion_class: {}\n'
                    'major_class: {}\n'
                    'root_class: {}\n'
                    'motion_adverb: {}\n'
                    'resolution: ({}, {})\n'.format(spec.patch.name, spec.background, min(spec.num_frames // 10, 59),
                                                    obj, motion, major, root_cls, adverb, W, H))
        names.append(name)
        records.append(_sequence_record(name, spec, seq, object_class=obj))
    _write_text(os.path.join(root, 'list.txt'), ''.join(n + '\n' for n in names))
    return records


def _write_got10k(out, cfg):
    train_plan = _Planner(cfg['seed'], 0, cfg['image_size'], cfg['frame_range'])
    n_train = cfg['counts']['got10k_train']
    patches = list(TRAIN_PATCHES[:n_train]) + random_train_patches(
        cfg['seed'] * 1000 + 1, max(0, n_train - len(TRAIN_PATCHES)),
        got10k_meta=('object', 'moving', 'object', 'object', 'slowly'))
    train = [train_plan.spec(None, p) for p in patches]
    val_plan = _Planner(cfg['seed'], 1, cfg['image_size'], cfg['frame_range'])
    by_name = {p.name: p for p in EVAL_PATCHES}
    val = [val_plan.spec(None, by_name[p], a) for p, a in
           (_GOT10K_VAL_PLAN[k % len(_GOT10K_VAL_PLAN)] for k in range(cfg['counts']['got10k_val']))]
    train_root = os.path.join(out, 'got10k', 'train')
    records = _write_got10k_split(train_root, 'GOT-10k_Train', train)
    records += _write_got10k_camera(train_root, 'GOT-10k_Train', len(train), cfg)
    return {'got10k_train': records,
            'got10k_val': _write_got10k_split(os.path.join(out, 'got10k', 'val'), 'GOT-10k_Val', val)}


def _write_got10k_camera(root, prefix, first_index, cfg):
    """GOT-10k train sequences filmed by the virtual camera of the real-footage sequences, of training objects and
    random photo regions in their own photo (`demo_camera.training_camera_sequences`), appended to list.txt."""
    names, records = [], []
    W, H = cfg['image_size']
    for k, (target, seq) in enumerate(training_camera_sequences(cfg['seed'] * 1000 + 3, cfg['counts']['got10k_camera'],
                                                                cfg['image_size'], cfg['frame_range']),
                                      start=first_index + 1):
        name = '{}_{:06d}'.format(prefix, k)
        d = os.path.join(root, name)
        for i, frame in enumerate(seq.frames):
            _write_jpeg(os.path.join(d, '{:08d}.jpg'.format(i + 1)), frame)
        n = len(seq.frames)
        visible = seq.box[:, 2] * seq.box[:, 3] / np.maximum(seq.box_full[:, 2] * seq.box_full[:, 3], 1e-9)
        _write_text(os.path.join(d, 'groundtruth.txt'), _boxes_text(seq.box_int, '%d'))   # integers, as the others
        _write_text(os.path.join(d, 'absence.label'), '0\n' * n)
        _write_text(os.path.join(d, 'cover.label'), ''.join('%d\n' % v for v in _cover_label(visible)))
        _write_text(os.path.join(d, 'cut_by_image.label'), ''.join('%d\n' % v for v in seq.cut_by_image.astype(int)))
        _write_text(os.path.join(d, 'meta_info.ini'),
                    '[METAINFO]\nurl: none (demo sequence: {} filmed by a virtual camera)\nbegin: 00:00:00\n'
                    'end: 00:00:{:02d}\nanno_fps: 10Hz\nobject_class: object\nmotion_class: still\n'
                    'major_class: object\nroot_class: object\nmotion_adverb: slowly\nresolution: ({}, {})\n'
                    .format(target.description, min(n // 10, 59), W, H))
        names.append(name)
        records.append({'name': name, 'target': target.name, 'photo': target.photo, 'num_frames': n,
                        'attributes': list(seq.attributes), 'camera': True})
    with open(os.path.join(root, 'list.txt'), 'a') as f:
        f.write(''.join(n + '\n' for n in names))
    return records


def _read_lines(path):
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


def _write_lasot(out, cfg):
    planner = _Planner(cfg['seed'], 2, cfg['image_size'], cfg['frame_range'])
    split = _read_lines(os.path.join(_DATA_SPECS, 'lasot_train_split.txt'))
    patches = [p for p in TRAIN_PATCHES if p.lasot_class]
    used, records = set(), []
    for k in range(cfg['counts']['lasot']):
        patch = patches[k % len(patches)]
        # Use names from ltr's LaSOT train split, so Lasot(split='train') finds the demo sequences.
        name = next(n for n in split if n.rsplit('-', 1)[0] == patch.lasot_class and n not in used)
        used.add(name)
        spec = planner.spec(name, patch)
        seq = render_sequence(spec)
        d = os.path.join(out, 'lasot', patch.lasot_class, name)
        for i, frame in enumerate(seq.frames):
            _write_jpeg(os.path.join(d, 'img', '{:08d}.jpg'.format(i + 1)), frame)
        _write_text(os.path.join(d, 'groundtruth.txt'), _boxes_text(seq.box, '%d'))
        _write_text(os.path.join(d, 'full_occlusion.txt'), ','.join('%d' % v for v in seq.full_occlusion) + '\n')
        _write_text(os.path.join(d, 'out_of_view.txt'), ','.join('%d' % v for v in seq.out_of_view) + '\n')
        _write_text(os.path.join(d, 'nlp.txt'), 'the {} ({}) moving over {}\n'.format(
            patch.lasot_class, patch.name.replace('_', ' '), spec.background.replace('_', ' ')))
        records.append(_sequence_record(name, spec, seq, object_class=patch.lasot_class))
    return {'lasot': records}


def _write_trackingnet(out, cfg):
    planner = _Planner(cfg['seed'], 3, cfg['image_size'], cfg['frame_range'])
    classmap = [line.split('\t') for line in _read_lines(os.path.join(_DATA_SPECS, 'trackingnet_classmap.txt'))]
    with_class = [p for p in TRAIN_PATCHES if p.trackingnet_class]
    without = [p for p in TRAIN_PATCHES if not p.trackingnet_class]
    used, records = set(), []
    n = cfg['counts']['trackingnet']
    for k in range(n):
        set_id = k % 4  # spread over TRAIN_0..TRAIN_3 (ATOM trains on set_ids 0..3)
        if k == n - 1 and without:
            # One video that is not in the class map: TrackingNet reports its class as 'Unknown'.
            patch, name = without[k % len(without)], 'demo_unlisted_{:03d}_0'.format(k)
        else:
            patch = with_class[k % len(with_class)]
            name = next(v for v, c in classmap if c == patch.trackingnet_class and v not in used)
        used.add(name)
        spec = planner.spec(name, patch)
        seq = render_sequence(spec)
        base = os.path.join(out, 'trackingnet', 'TRAIN_{}'.format(set_id))
        for i, frame in enumerate(seq.frames):
            _write_jpeg(os.path.join(base, 'frames', name, '{}.jpg'.format(i)), frame)
        _write_text(os.path.join(base, 'anno', name + '.txt'), _boxes_text(seq.box, '%.1f'))
        records.append(_sequence_record(name, spec, seq, set_id=set_id,
                                        object_class=patch.trackingnet_class or 'Unknown'))
    return {'trackingnet': records}


def _write_coco(out, cfg, split='train', version='2014'):
    rng = np.random.default_rng([cfg['seed'], 4])
    W0, H0 = cfg['image_size']
    patches = [p for p in TRAIN_PATCHES if p.coco]
    random_patches = random_train_patches(cfg['seed'] * 1000 + 4, 4 * cfg['counts']['coco'], coco=COCO_RANDOM_CATEGORY)
    from ltr.dataset.demo_scenes import _paste, _resize  # same compositing as the videos
    from ltr.dataset.demo_sources import load_photo
    images, annotations = [], []
    for img_id in range(1, cfg['counts']['coco'] + 1):
        W, H = int(W0 * rng.uniform(0.8, 1.25)), int(H0 * rng.uniform(0.8, 1.25))
        bg = load_photo(BACKGROUNDS[rng.integers(len(BACKGROUNDS))])
        bh, bw = bg.shape[:2]
        cw, ch = int(min(bw, W * rng.uniform(1.0, 2.0))), int(min(bh, H * rng.uniform(1.0, 2.0)))
        x0, y0 = int(rng.integers(0, bw - cw + 1)), int(rng.integers(0, bh - ch + 1))
        canvas = _resize(bg[y0:y0 + ch, x0:x0 + cw], W, H).copy()
        placed = []
        for _ in range(int(rng.integers(1, 4))):
            if rng.random() < COCO_RANDOM_OBJECT_P:
                patch = random_patches[rng.integers(len(random_patches))]
            else:
                patch = patches[rng.integers(len(patches))]
            pimg = patch.image()
            side = rng.uniform(0.15, 0.4) * min(W, H)
            ar = np.clip(pimg.shape[1] / pimg.shape[0], 0.3, 3.0)
            w, h = max(int(side * np.sqrt(ar)), 6), max(int(side / np.sqrt(ar)), 6)
            for _try in range(30):  # objects do not overlap, so every box shows its whole object
                x, y = int(rng.integers(1, W - w)), int(rng.integers(1, H - h))
                if all(x + w <= px or px + pw <= x or y + h <= py or py + ph <= y for px, py, pw, ph in placed):
                    break
            else:
                continue
            placed.append((x, y, w, h))
            _paste(canvas, _resize(pimg, w, h), superellipse_mask(h, w, patch.shape), x, y)
            poly = superellipse_polygon(x, y, w, h, patch.shape)
            pts = np.array(poly).reshape(-1, 2)
            area = 0.5 * abs(np.dot(pts[:, 0], np.roll(pts[:, 1], 1)) - np.dot(pts[:, 1], np.roll(pts[:, 0], 1)))
            annotations.append({'id': len(annotations) + 1, 'image_id': img_id, 'category_id': patch.coco[0],
                                'bbox': [float(x), float(y), float(w), float(h)], 'area': round(float(area), 2),
                                'segmentation': [poly], 'iscrowd': 0})
        file_name = 'COCO_{}{}_{:012d}.jpg'.format(split, version, img_id)
        _write_jpeg(os.path.join(out, 'coco', 'images', split + version, file_name), canvas)
        images.append({'id': img_id, 'file_name': file_name, 'width': W, 'height': H, 'license': 1})
    categories = sorted({p.coco for p in patches} | {COCO_RANDOM_CATEGORY})
    doc = {'info': {'description': 'ltr embedded demo data (scikit-image photos, CC0/public domain)',
                    'version': str(FORMAT_VERSION), 'year': 2026},
           'licenses': [{'id': 1, 'name': 'CC0 / public domain (scikit-image data)', 'url': ''}],
           'images': images, 'annotations': annotations,
           'categories': [{'id': c, 'name': n, 'supercategory': s} for c, n, s in categories]}
    _write_text(os.path.join(out, 'coco', 'annotations', 'instances_{}{}.json'.format(split, version)),
                json.dumps(doc))
    return {'coco': [{'images': len(images), 'annotations': len(annotations),
                      'categories': [n for _, n, _ in categories]}]}


def _write_otb(out, cfg):
    planner = _Planner(cfg['seed'], 5, cfg['image_size'], cfg['frame_range'])
    by_name = {p.name: p for p in EVAL_PATCHES}
    entries, records = [], []
    for k in range(cfg['counts']['otb']):
        name, patch_name, attrs = _OTB_PLAN[k % len(_OTB_PLAN)]
        if k >= len(_OTB_PLAN):
            name = '{}_{}'.format(name, k // len(_OTB_PLAN) + 1)
        spec = planner.spec(name, by_name[patch_name], attrs)
        seq = render_sequence(spec)
        d = os.path.join(out, 'otb', name)
        for i, frame in enumerate(seq.frames):
            _write_jpeg(os.path.join(d, 'img', '{:04d}.jpg'.format(i + 1)), frame)
        _write_text(os.path.join(d, 'groundtruth_rect.txt'), _boxes_text(seq.box, '%d'))
        entries.append({'name': name, 'path': name + '/img', 'startFrame': 1, 'endFrame': spec.num_frames, 'nz': 4,
                        'ext': 'jpg', 'anno_path': name + '/groundtruth_rect.txt',
                        'object_class': by_name[patch_name].otb_class, 'attributes': list(seq.attributes)})
        records.append(_sequence_record(name, spec, seq))
    _write_text(os.path.join(out, 'otb', 'sequences.json'), json.dumps(entries, indent=1))
    return {'otb': records}


def _write_otb_real(out, cfg):
    """The real-footage sequences (`demo_camera.REAL_PLAN`), in the same OTB layout and conventions as `otb`
    (0-based integer x, y, w, h, one line per frame). `cfg['real_frames']`, when set, shortens every sequence."""
    entries, records = [], []
    for k in range(cfg['counts']['otb_real']):
        plan = REAL_PLAN[k % len(REAL_PLAN)]
        name = plan.name if k < len(REAL_PLAN) else '{}_{}'.format(plan.name, k // len(REAL_PLAN) + 1)
        if k >= len(REAL_PLAN):  # another camera path over the same photo
            plan = dataclasses.replace(plan, name=name, seed=plan.seed + 1000 * (k // len(REAL_PLAN)))
        seq = render_real_sequence(plan, cfg['image_size'], cfg['real_frames'])
        n = len(seq.frames)
        d = os.path.join(out, 'otb_real', name)
        for i, frame in enumerate(seq.frames):
            _write_jpeg(os.path.join(d, 'img', '{:04d}.jpg'.format(i + 1)), frame, quality=plan.jpeg_quality)
        _write_text(os.path.join(d, 'groundtruth_rect.txt'), _boxes_text(seq.box_int, '%d'))
        target = real_target(plan.target)
        entries.append({'name': name, 'path': name + '/img', 'startFrame': 1, 'endFrame': n, 'nz': 4,
                        'ext': 'jpg', 'anno_path': name + '/groundtruth_rect.txt',
                        'object_class': target.otb_class, 'attributes': list(seq.attributes)})
        area = seq.box_full[:, 2] * seq.box_full[:, 3]
        records.append({'name': name, 'target': target.name, 'photo': target.photo, 'num_frames': n,
                        'attributes': list(seq.attributes),
                        'scale_ratio_max_min': round(float(np.sqrt(area.max() / area.min())), 4),
                        'scale_ratio_last_first': round(float(np.sqrt(area[-1] / area[0])), 4),
                        'camera_scale': [round(float(seq.path.scale.min()), 4), round(float(seq.path.scale.max()), 4)],
                        'max_rotation_deg': round(float(np.abs(seq.path.angle_deg).max()), 3),
                        'num_cut_by_image': int(seq.cut_by_image.sum()),
                        'num_motion_blur': int((seq.blur_length > 0).sum()), 'jpeg_quality': plan.jpeg_quality})
    _write_text(os.path.join(out, 'otb_real', 'sequences.json'), json.dumps(entries, indent=1))
    return {'otb_real': records}


def _write_vot(out, cfg):
    """The real-footage sequences (otb_real, rendered again: same frames and boxes) in the VOT toolkit layout:
    vot/list.txt and vot/<Sequence>/{color/00000001.jpg ..., groundtruth.txt (x,y,w,h, comma-separated, one line
    per frame), sequence (channels.color=color/%08d.jpg, fps, length)}. A VOT toolkit workspace reads this folder
    as its `sequences` (the list file keeps it from downloading anything)."""
    staging = os.path.join(out, '.vot-otb_real')
    records = _write_otb_real(staging, cfg)['otb_real']
    src_root = os.path.join(staging, 'otb_real')
    with open(os.path.join(src_root, 'sequences.json')) as f:
        entries = json.load(f)
    names = []
    for e in entries:
        d = os.path.join(out, 'vot', e['name'])
        os.makedirs(os.path.join(d, 'color'))
        frames = range(e['startFrame'], e['endFrame'] + 1)
        for k, i in enumerate(frames, start=1):
            os.replace(os.path.join(src_root, e['path'], '{:0{nz}d}.{ext}'.format(i, nz=e['nz'], ext=e['ext'])),
                       os.path.join(d, 'color', '{:08d}.jpg'.format(k)))
        with open(os.path.join(src_root, e['anno_path'])) as f:
            boxes = [line.strip() for line in f if line.strip()]
        if len(boxes) != len(frames):
            raise RuntimeError('demo_data: {} has {} boxes for {} frames'.format(e['name'], len(boxes), len(frames)))
        _write_text(os.path.join(d, 'groundtruth.txt'), ''.join(b + '\n' for b in boxes))
        _write_text(os.path.join(d, 'sequence'), 'channels.color=color/%08d.jpg\nfps=30\nlength={}\nname={}\n'
                    .format(len(frames), e['name']))
        names.append(e['name'])
    _write_text(os.path.join(out, 'vot', 'list.txt'), ''.join(n + '\n' for n in names))
    shutil.rmtree(staging)
    return {'vot': [dict(r, source='otb_real') for r in records]}


_WRITERS = {'got10k': _write_got10k, 'lasot': _write_lasot, 'trackingnet': _write_trackingnet,
            'coco': _write_coco, 'otb': _write_otb, 'otb_real': _write_otb_real, 'vot': _write_vot}


# ----------------------------------------------------------------------------------------------------------------
# entry points
# ----------------------------------------------------------------------------------------------------------------
def default_out_dir():
    """`env_settings().demo_dir` when the ltr environment is available, else `<repo>/data/demo`."""
    try:
        from ltr.admin.environment import env_settings
        d = getattr(env_settings(), 'demo_dir', None)
        if d:
            return d
    except Exception:  # the environment module is optional for generating data
        pass
    return os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'data', 'demo')


def _config(seed, image_size, frame_range, num_sequences, datasets, real_frames=None):
    counts = dict(DEFAULT_COUNTS)
    for k, v in (num_sequences or {}).items():
        if k not in counts:
            raise ValueError('demo_data: unknown key {!r} in num_sequences (known: {})'.format(k, sorted(counts)))
        if int(v) < 1:
            raise ValueError('demo_data: num_sequences[{!r}] must be >= 1, got {}'.format(k, v))
        counts[k] = int(v)
    W, H = (int(v) for v in image_size)
    if W < 64 or H < 64:
        raise ValueError('demo_data: image_size must be at least 64x64, got {}x{}'.format(W, H))
    lo, hi = (int(v) for v in frame_range)
    if not 10 <= lo <= hi:
        raise ValueError('demo_data: frame_range must satisfy 10 <= min <= max, got {}'.format((lo, hi)))
    if real_frames is not None and int(real_frames) < 10:
        raise ValueError('demo_data: real_frames must be >= 10 (or None), got {}'.format(real_frames))
    bad = [d for d in datasets if d not in DATASETS + OPTIONAL_DATASETS]
    if bad:
        raise ValueError('demo_data: unknown datasets {} (known: {})'.format(bad, list(DATASETS + OPTIONAL_DATASETS)))
    return {'format_version': FORMAT_VERSION, 'seed': int(seed), 'image_size': [W, H], 'frame_range': [lo, hi],
            'counts': counts, 'datasets': [d for d in DATASETS + OPTIONAL_DATASETS if d in datasets],
            'real_frames': None if real_frames is None else int(real_frames)}


def generate(out_dir, seed=0, image_size=(320, 240), frame_range=(24, 40), num_sequences=None, datasets=DATASETS,
             force=False, verbose=False, real_frames=None):
    """Write the demo datasets under `out_dir` and return its absolute path.

    args:
        out_dir - output root (created if needed). Only the dataset folders named in `datasets` and
                  `demo_manifest.json` are replaced; other content is left alone.
        seed - everything is a deterministic function of (seed, configuration).
        image_size - (width, height) of the video frames (COCO images vary around it by +-25%).
        frame_range - (min, max) number of frames per video (pytracking's sampler needs >= 20 for video datasets).
        num_sequences - dict overriding DEFAULT_COUNTS (keys got10k_train, got10k_camera, got10k_val, lasot,
                        trackingnet, coco, otb, otb_real).
        datasets - subset of DATASETS (plus OPTIONAL_DATASETS: 'vot') to write.
        force - regenerate even if `out_dir` already holds data of the same configuration.
        real_frames - number of frames of every otb_real sequence (None: each sequence's own 44-60 frames).
    """
    if out_dir is None or str(out_dir) == '':
        raise ValueError('demo_data.generate: out_dir is empty')
    out_dir = os.path.abspath(os.fspath(out_dir))
    cfg = _config(seed, image_size, frame_range, num_sequences, datasets, real_frames)
    manifest_path = os.path.join(out_dir, MANIFEST)
    if not force and os.path.isfile(manifest_path):
        try:
            with open(manifest_path) as f:
                if json.load(f).get('config') == cfg:
                    return out_dir
        except (OSError, ValueError):
            pass  # unreadable manifest: regenerate

    os.makedirs(out_dir, exist_ok=True)
    t0 = time.time()
    staging = tempfile.mkdtemp(prefix='.demo-staging-', dir=out_dir)
    try:
        records = {}
        for name in cfg['datasets']:
            t1 = time.time()
            records.update(_WRITERS[name](staging, cfg))
            if verbose:
                print('  {:<12s} {:6.2f} s'.format(name, time.time() - t1))
        # Move each finished dataset into place: a dataset folder is never seen half-written.
        if os.path.exists(manifest_path):
            os.remove(manifest_path)  # the manifest marks completeness; drop it while folders change
        for name in cfg['datasets']:
            target = os.path.join(out_dir, name)
            if os.path.exists(target):
                shutil.rmtree(target)
            os.replace(os.path.join(staging, name), target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest = {'config': cfg, 'generator': 'ltr.dataset.demo_data', 'seconds': round(time.time() - t0, 2),
                'sequences': records,
                'layout': {'got10k_dir': 'got10k/train', 'got10k_val': 'got10k/val', 'lasot_dir': 'lasot',
                           'trackingnet_dir': 'trackingnet', 'coco_dir': 'coco', 'otb_path': 'otb',
                           'otb_real_path': 'otb_real'}}
    atomic_write_text(manifest_path, json.dumps(manifest, indent=1))
    return out_dir


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m ltr.dataset.demo_data', description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=None, help='output folder (default: env demo_dir or <repo>/data/demo)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--width', type=int, default=320)
    parser.add_argument('--height', type=int, default=240)
    parser.add_argument('--min-frames', type=int, default=24)
    parser.add_argument('--max-frames', type=int, default=40)
    parser.add_argument('--datasets', nargs='+', default=list(DATASETS), choices=DATASETS + OPTIONAL_DATASETS)
    parser.add_argument('--real-frames', type=int, default=None,
                        help='frames of every otb_real sequence (default: their own 44-60)')
    parser.add_argument('--force', action='store_true', help='regenerate even if the output is up to date')
    args = parser.parse_args(argv)
    out = args.out or default_out_dir()
    t0 = time.time()
    try:
        path = generate(out, seed=args.seed, image_size=(args.width, args.height),
                        frame_range=(args.min_frames, args.max_frames), datasets=args.datasets, force=args.force,
                        verbose=True, real_frames=args.real_frames)
    except ValueError as e:
        parser.error(str(e))
    with open(os.path.join(path, MANIFEST)) as f:
        manifest = json.load(f)
    for key, recs in manifest['sequences'].items():
        if key == 'coco':
            print('{:<13s} {} images, {} annotations'.format(key, recs[0]['images'], recs[0]['annotations']))
        else:
            print('{:<13s} {} sequences, {} frames'.format(key, len(recs), sum(r['num_frames'] for r in recs)))
    print('demo data in {} ({:.1f} s)'.format(path, time.time() - t0))
    return 0


if __name__ == '__main__':
    sys.exit(main())
