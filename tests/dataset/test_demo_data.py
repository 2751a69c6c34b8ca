"""The embedded demo data: exact boxes, labels that match the pixels, determinism, real formats read by peer tools."""
import hashlib
import json
import os

import cv2
import numpy as np
import pytest

from ltr.dataset import demo_data
from ltr.dataset.demo_scenes import SequenceSpec, render_sequence
from ltr.dataset.demo_sources import (
    EVAL_PATCHES,
    TRAIN_PATCHES,
    PatchSpec,
    load_photo,
    random_train_patches,
    superellipse_mask,
)

TINY = dict(image_size=(96, 72), frame_range=(10, 12),
            num_sequences={'got10k_train': 1, 'got10k_val': 1, 'lasot': 1, 'trackingnet': 1, 'coco': 2, 'otb': 1})


def _tree_digest(root):
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        for name in sorted(filenames):
            if name == demo_data.MANIFEST:
                continue  # holds the generation time
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, root).encode())
            with open(path, 'rb') as f:
                h.update(f.read())
    return h.hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = demo_data.generate(tmp_path / 'a', seed=3, **TINY)
    b = demo_data.generate(tmp_path / 'b', seed=3, **TINY)
    c = demo_data.generate(tmp_path / 'c', seed=4, **TINY)
    assert _tree_digest(a) == _tree_digest(b)
    assert _tree_digest(a) != _tree_digest(c)


def test_generate_reuses_up_to_date_output_and_rejects_bad_config(tmp_path):
    out = demo_data.generate(tmp_path, seed=0, **TINY)
    marker = os.path.join(out, 'otb', 'marker')
    open(marker, 'w').close()
    demo_data.generate(tmp_path, seed=0, **TINY)          # same config: nothing rewritten
    assert os.path.exists(marker)
    demo_data.generate(tmp_path, seed=0, force=True, **TINY)
    assert not os.path.exists(marker)
    with pytest.raises(ValueError, match='frame_range'):
        demo_data.generate(tmp_path, frame_range=(5, 3))
    with pytest.raises(ValueError, match='num_sequences'):
        demo_data.generate(tmp_path, num_sequences={'imagenet': 2})


def test_train_and_eval_patches_are_disjoint():
    def region(p):
        return (p.photo, p.y0, p.y1, p.x0, p.x1)

    train, evaluation = {region(p) for p in TRAIN_PATCHES}, {region(p) for p in EVAL_PATCHES}
    assert not train & evaluation
    # no pixel of an evaluation patch lies inside a training patch of the same photo
    for e in EVAL_PATCHES:
        for t in TRAIN_PATCHES:
            if e.photo == t.photo:
                overlap_y = min(e.y1, t.y1) - max(e.y0, t.y0)
                overlap_x = min(e.x1, t.x1) - max(e.x0, t.x0)
                assert overlap_y <= 0 or overlap_x <= 0, (e.name, t.name)


def test_random_train_patches_are_deterministic_inside_their_photo_and_off_every_eval_patch():
    patches = random_train_patches(0, 200)
    assert [p.name for p in patches] == [p.name for p in random_train_patches(0, 200)]
    assert [p.name for p in patches] != [p.name for p in random_train_patches(1, 200)]
    assert len({(p.photo, p.y0, p.x0) for p in patches}) == 200
    for t in patches:
        H, W = load_photo(t.photo).shape[:2]
        assert 0 <= t.y0 < t.y1 <= H and 0 <= t.x0 < t.x1 <= W and t.image().size > 0
        for e in EVAL_PATCHES:
            if e.photo == t.photo:
                assert min(e.y1, t.y1) <= max(e.y0, t.y0) or min(e.x1, t.x1) <= max(e.x0, t.x0), (e.name, t.name)


@pytest.mark.parametrize('h,w,p', [(7, 5, 2.0), (40, 13, 4.0), (64, 64, 2.0), (9, 30, 0)])
def test_superellipse_mask_touches_all_four_sides(h, w, p):
    m = superellipse_mask(h, w, p)
    ys, xs = np.nonzero(m)
    assert (ys.min(), ys.max(), xs.min(), xs.max()) == (0, h - 1, 0, w - 1)


class _RedPatch(PatchSpec):
    """A target of one unusual colour, so the test can find its pixels on a gray background independently of the
    renderer."""

    def image(self):
        return np.tile(np.array(_COLOUR, np.uint8), (50, 40, 1))


_COLOUR = (1, 254, 3)


def _red_pixels(frame):
    return (frame == np.array(_COLOUR, np.uint8)).all(axis=2)


@pytest.mark.parametrize('attrs', [('camera_motion', 'scale_change'), ('aspect_change',), ('out_of_view',),
                                   ('full_occlusion',), ('occlusion',)])
def test_rendered_boxes_and_visibility_match_the_pixels(attrs):
    patch = _RedPatch('red', 'camera', 0, 50, 0, 40, 4.0)
    spec = SequenceSpec('t', patch, 'camera', 30, (160, 120), attrs, seed=(7,))
    seq = render_sequence(spec)
    full_area = None
    for t, frame in enumerate(seq.frames):
        red = _red_pixels(frame)
        x, y, w, h = seq.box_full[t]
        if not red.any():
            assert seq.visible_ratio[t] == 0
            assert seq.out_of_view[t] or seq.full_occlusion[t]
            continue
        ys, xs = np.nonzero(red)
        if 'occlusion' not in seq.attributes:
            # the clipped annotation is exactly the tight box of the red pixels
            assert list(seq.box[t]) == [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
        # every red pixel is inside the annotated box
        bx, by, bw, bh = seq.box[t]
        assert bx <= xs.min() and xs.max() < bx + bw and by <= ys.min() and ys.max() < by + bh
        full_area = superellipse_mask(h, w, 4.0).sum()
        assert red.sum() / full_area == pytest.approx(seq.visible_ratio[t], abs=1e-9)
    assert full_area is not None
    if 'out_of_view' in attrs:
        assert seq.out_of_view.sum() >= 1 and seq.cut_by_image.sum() >= 1
    if 'full_occlusion' in attrs:
        assert seq.full_occlusion.sum() >= 1
    if 'occlusion' in attrs:
        assert 0 < seq.visible_ratio.min() < 1


def test_otb_layout_and_sequence_list(demo_data_root):
    otb = os.path.join(demo_data_root, 'otb')
    with open(os.path.join(otb, 'sequences.json')) as f:
        entries = json.load(f)
    assert len(entries) == demo_data.DEFAULT_COUNTS['otb']
    for e in entries:
        gt = np.loadtxt(os.path.join(otb, e['anno_path']), delimiter=',')
        frames = sorted(os.listdir(os.path.join(otb, e['path'])))
        assert frames[0] == '0001.jpg' and len(frames) == gt.shape[0] == e['endFrame'] - e['startFrame'] + 1
        assert (gt > 0).all()  # pytracking treats a GT with any value <= 0 as invalid
        img = cv2.imread(os.path.join(otb, e['path'], frames[0]))
        assert (gt[:, 0] + gt[:, 2] <= img.shape[1]).all() and (gt[:, 1] + gt[:, 3] <= img.shape[0]).all()
    scale = [e for e in entries if 'scale_change' in e['attributes']]
    assert len(scale) >= 2
    for e in scale:
        gt = np.loadtxt(os.path.join(otb, e['anno_path']), delimiter=',')
        area = gt[:, 2] * gt[:, 3]
        assert area.max() / area.min() > 2.0


def test_got10k_toolkit_reads_val_split(demo_data_root):
    got10k = pytest.importorskip('got10k.datasets')
    ds = got10k.GOT10k(os.path.join(demo_data_root, 'got10k'), subset='val')
    assert len(ds) == demo_data.DEFAULT_COUNTS['got10k_val']
    for i in range(len(ds)):
        item = ds[i]
        img_files, anno = item[0], item[1]
        seq_dir = os.path.dirname(img_files[0])
        ours = np.loadtxt(os.path.join(seq_dir, 'groundtruth.txt'), delimiter=',')
        np.testing.assert_array_equal(anno, ours)
        assert len(img_files) == len(ours)


def test_got10k_toolkit_reads_otb(demo_data_root, monkeypatch):
    otb_mod = pytest.importorskip('got10k.datasets.otb')
    monkeypatch.setattr(otb_mod.OTB, '_download', lambda self, root_dir, version: root_dir)
    ds = otb_mod.OTB(os.path.join(demo_data_root, 'otb'), version=2015, download=False)
    assert len(ds) == demo_data.DEFAULT_COUNTS['otb']
    img_files, anno = ds[0]
    assert len(img_files) == len(anno)


def test_pycocotools_reads_the_coco_json(demo_data_root):
    coco_mod = pytest.importorskip('pycocotools.coco')
    path = os.path.join(demo_data_root, 'coco', 'annotations', 'instances_train2014.json')
    coco = coco_mod.COCO(path)
    assert len(coco.getImgIds()) == demo_data.DEFAULT_COUNTS['coco']
    assert len(coco.getAnnIds()) >= demo_data.DEFAULT_COUNTS['coco']
    for ann in coco.loadAnns(coco.getAnnIds()):
        img = coco.loadImgs([ann['image_id']])[0]
        pixels = cv2.imread(os.path.join(demo_data_root, 'coco', 'images', 'train2014', img['file_name']))
        assert pixels.shape[:2] == (img['height'], img['width'])
        mask = coco.annToMask(ann)
        ys, xs = np.nonzero(mask)
        x, y, w, h = ann['bbox']
        # the polygon's raster fills its box up to the rasteriser's one-pixel rounding
        assert abs(xs.min() - x) <= 1 and abs(xs.max() + 1 - (x + w)) <= 1
        assert abs(ys.min() - y) <= 1 and abs(ys.max() + 1 - (y + h)) <= 1
        assert mask.sum() == pytest.approx(ann['area'], rel=0.1)
        assert coco.loadCats([ann['category_id']])[0]['name'] in ('person', 'cup', 'cat', 'airplane', 'object')


def test_cli_writes_the_datasets(tmp_path, capsys):
    rc = demo_data.main(['--out', str(tmp_path), '--seed', '1', '--width', '96', '--height', '72',
                         '--min-frames', '10', '--max-frames', '11', '--datasets', 'lasot', 'otb'])
    assert rc == 0
    assert sorted(os.listdir(tmp_path)) == ['demo_manifest.json', 'lasot', 'otb']
    assert 'demo data in' in capsys.readouterr().out
