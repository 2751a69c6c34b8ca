"""The real-footage part of the demo benchmark (otb_real): boxes follow the camera transform exactly, the pixels
inside a box are the target's, the sequences load as `demo_real`, and no training target overlaps a real target."""
import json
import os

import cv2
import numpy as np
import pytest

from ltr.dataset import demo_camera, demo_data
from ltr.dataset.demo_camera import (
    REAL_PLAN,
    REAL_TARGETS,
    camera_matrix,
    cv2_matrix,
    load_real_photo,
    make_camera_path,
    real_target,
    real_target_regions,
    render_real_sequence,
)
from ltr.dataset.demo_sources import TRAIN_PATCHES, random_train_patches

SIZE = (320, 240)
FEW = 12  # frames per sequence in the fast tests


def _plan(name):
    return next(p for p in REAL_PLAN if p.name == name)


def _ncc(a, b):
    a = a.astype(np.float64).ravel() - a.mean()
    b = b.astype(np.float64).ravel() - b.mean()
    return float(a @ b / np.sqrt((a @ a) * (b @ b)))


@pytest.fixture(scope='module')
def real_root(tmp_path_factory):
    return demo_data.generate(str(tmp_path_factory.mktemp('demo_real')), seed=0, datasets=('otb_real',),
                              real_frames=FEW)


def test_box_is_the_polygon_projected_by_hand():
    plan = _plan('HopperBadge')
    seq = render_real_sequence(plan, SIZE, FEW)
    poly = real_target(plan.target).polygon
    for k in (0, FEW // 2, FEW - 1):
        (a, b, c), (d, e, f) = seq.matrices[k]
        xs = [a * x + b * y + c for x, y in poly]
        ys = [d * x + e * y + f for x, y in poly]
        x0, x1 = max(min(xs), 0), min(max(xs), SIZE[0])
        y0, y1 = max(min(ys), 0), min(max(ys), SIZE[1])
        np.testing.assert_allclose(seq.box[k], [x0, y0, x1 - x0, y1 - y0], atol=1e-9)
        assert list(seq.box_int[k]) == [round(x0), round(y0), round(x1) - round(x0), round(y1) - round(y0)]


def test_first_box_is_the_polygon_bbox_under_the_initial_camera():
    plan = _plan('Spoon')
    target = real_target(plan.target)
    seq = render_real_sequence(plan, SIZE, FEW)
    path = make_camera_path(plan, target, SIZE, FEW)
    A0 = camera_matrix(path.centre[0], path.scale[0], path.angle_deg[0], SIZE)
    np.testing.assert_allclose(seq.matrices[0], A0)
    # rotation of a few degrees at most: the box is the polygon bbox scaled about the camera centre, up to the
    # rotation's effect, which we bound
    q = demo_camera.project(target.points, A0)
    np.testing.assert_allclose(seq.box[0], [q[:, 0].min(), q[:, 1].min(), np.ptp(q[:, 0]), np.ptp(q[:, 1])])
    x0, y0, x1, y1 = target.bbox
    s = path.scale[0]
    assert abs(seq.box[0][2] - s * (x1 - x0)) < s * np.sin(np.deg2rad(abs(path.angle_deg[0]))) * (y1 - y0) + 1e-6


def test_frame_pixels_are_the_photo_seen_through_the_camera():
    plan = _plan('HopperBadge')  # no motion blur; exposure drift and noise only
    target = real_target(plan.target)
    photo = load_real_photo(target.photo)
    seq = render_real_sequence(plan, SIZE, FEW)
    y0, y1, x0, x1 = target.region()
    for k in (0, FEW - 1):
        # undo the camera: warp the frame back into photo coordinates and compare the target region
        back = cv2.warpAffine(seq.frames[k], cv2_matrix(seq.matrices[k]), photo.shape[1::-1],
                              flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
        gray = lambda im: cv2.cvtColor(np.ascontiguousarray(im), cv2.COLOR_RGB2GRAY)
        assert _ncc(gray(back[y0:y1, x0:x1]), gray(photo[y0:y1, x0:x1])) > 0.95
        # a misregistration of one or two pixels is clearly worse (about 0.85 and 0.67): the test can tell
        assert _ncc(gray(back[y0:y1, x0:x1]), gray(photo[y0 + 2:y1 + 2, x0 + 2:x1 + 2])) < 0.8


def test_target_patch_matches_between_two_frames():
    plan = _plan('Tower')
    seq = render_real_sequence(plan, SIZE, FEW)
    i, j = 0, FEW - 1
    Ai, Aj = (np.vstack([A, [0, 0, 1]]) for A in (seq.matrices[i], seq.matrices[j]))
    j_to_i = (Ai @ np.linalg.inv(Aj))[:2]
    warped = cv2.warpAffine(seq.frames[j], cv2_matrix(j_to_i), SIZE, flags=cv2.INTER_LINEAR)
    x, y, w, h = seq.box_int[i]
    a, b = warped[y:y + h, x:x + w, 0], seq.frames[i][y:y + h, x:x + w, 0]
    assert _ncc(a, b) > 0.85
    assert _ncc(warped[y + 5:y + h + 5, x + 5:x + w + 5, 0], b) < _ncc(a, b) - 0.1


def test_full_length_paths_scale_rotation_and_visibility():
    for plan in REAL_PLAN:
        target = real_target(plan.target)
        path = make_camera_path(plan, target, SIZE)
        n = len(path.scale)
        assert 40 <= n <= 60 and n == plan.num_frames
        mats = [camera_matrix(path.centre[i], path.scale[i], path.angle_deg[i], SIZE) for i in range(n)]
        full = np.stack([demo_camera.polygon_box(target.points, A) for A in mats])
        clip = np.stack([demo_camera.polygon_box(target.points, A, SIZE) for A in mats])
        area = full[:, 2] * full[:, 3]
        assert 1.5 <= np.sqrt(area.max() / area.min()) <= 2.6, plan.name
        assert np.abs(path.angle_deg).max() <= plan.max_rotation_deg
        assert (full[:, 0] >= 2).all() and (full[:, 1] >= 2).all()          # left/top borders never crossed
        cut = (full[:, 0] + full[:, 2] > SIZE[0]) | (full[:, 1] + full[:, 3] > SIZE[1])
        if 'partial_out_of_view' in plan.attributes:
            assert 1 <= cut.sum() <= plan.cut_frames + 2 and not cut[0]
        else:
            assert not cut.any(), plan.name
        assert (clip[:, 2] * clip[:, 3] >= 0.45 * area).all()              # never (nearly) fully out
        # the whole frame shows the photo: its four corners map inside the photo
        Hp, Wp = load_real_photo(target.photo).shape[:2]
        for A in mats:
            inv = np.linalg.inv(np.vstack([A, [0, 0, 1]]))[:2]
            corners = demo_camera.project([(0, 0), (SIZE[0], 0), (0, SIZE[1]), SIZE], inv)
            assert (corners >= -1e-6).all()
            assert (corners[:, 0] <= Wp + 1e-6).all() and (corners[:, 1] <= Hp + 1e-6).all()


def test_no_training_target_overlaps_a_real_target():
    def overlaps(photo, y0, y1, x0, x1, regions):
        return [r for r in regions if r[0] == photo and min(y1, r[2]) > max(y0, r[1]) and min(x1, r[4]) > max(x0, r[3])]

    tight = real_target_regions(margin=0)
    with_margin = real_target_regions()
    assert len(tight) == len(REAL_TARGETS) >= 6
    assert len({t.photo for t in REAL_TARGETS}) == len(REAL_TARGETS)  # different photos
    for t in TRAIN_PATCHES:
        assert not overlaps(t.photo, t.y0, t.y1, t.x0, t.x1, tight), t.name
    # the random patches of the demo training data (seeds as in demo_data for seed 0, 1) and many more
    for seed in (1, 4, 1001, 1004, 0):
        for p in random_train_patches(seed, 400):
            assert not overlaps(p.photo, p.y0, p.y1, p.x0, p.x1, with_margin), p.name
    for t in REAL_TARGETS:  # polygons lie inside their photo
        Hp, Wp = load_real_photo(t.photo).shape[:2]
        x0, y0, x1, y1 = t.bbox
        assert 0 <= x0 < x1 <= Wp and 0 <= y0 < y1 <= Hp


def test_written_layout_matches_the_otb_writer(real_root, demo_data_root):
    base = os.path.join(real_root, 'otb_real')
    with open(os.path.join(base, 'sequences.json')) as f:
        entries = json.load(f)
    with open(os.path.join(demo_data_root, 'otb', 'sequences.json')) as f:
        otb_entries = json.load(f)
    assert [e['name'] for e in entries] == [p.name for p in REAL_PLAN]
    assert all(set(e) == set(otb_entries[0]) for e in entries)
    for e, plan in zip(entries, REAL_PLAN):
        gt = np.loadtxt(os.path.join(base, e['anno_path']), delimiter=',', ndmin=2)
        frames = sorted(os.listdir(os.path.join(base, e['path'])))
        assert frames[0] == '0001.jpg' and len(frames) == gt.shape[0] == FEW == e['endFrame'] - e['startFrame'] + 1
        assert (gt > 0).all() and (gt == np.round(gt)).all()
        seq = render_real_sequence(plan, SIZE, FEW)
        np.testing.assert_array_equal(gt, seq.box_int)
        img = cv2.imread(os.path.join(base, e['path'], frames[0]))
        assert img.shape[1::-1] == SIZE
    with open(os.path.join(real_root, demo_data.MANIFEST)) as f:
        manifest = json.load(f)
    assert manifest['config']['datasets'] == ['otb_real'] and manifest['config']['real_frames'] == FEW
    assert manifest['layout']['otb_real_path'] == 'otb_real'
    # the full default demo data (conftest) holds the real part with its full-length sequences
    with open(os.path.join(demo_data_root, 'otb_real', 'sequences.json')) as f:
        full = json.load(f)
    assert [e['endFrame'] for e in full] == [p.num_frames for p in REAL_PLAN]


def test_demo_real_loads_through_get_dataset(real_root, monkeypatch):
    from pytracking.evaluation.datasets import get_dataset
    monkeypatch.setenv('PYTRACKING_DEMO_PATH', real_root)
    seqs = get_dataset('demo_real')
    assert [s.name for s in seqs] == [p.name for p in REAL_PLAN]
    for s in seqs:
        assert s.dataset == 'demo_real' and len(s.frames) == FEW and os.path.isfile(s.frames[-1])
        gt = np.loadtxt(os.path.join(real_root, 'otb_real', s.name, 'groundtruth_rect.txt'), delimiter=',')
        np.testing.assert_array_equal(np.asarray(s.ground_truth_rect), gt)
    # the synthetic part is not there: `demo` says so instead of falling back to the real part
    with pytest.raises(FileNotFoundError, match='Demo data not found'):
        get_dataset('demo')


def test_demo_keeps_the_synthetic_part(demo_env):
    from pytracking.evaluation.datasets import get_dataset
    from pytracking.evaluation.demodataset import DemoDataset
    seqs = get_dataset('demo')
    assert len(seqs) == demo_data.DEFAULT_COUNTS['otb'] and {s.dataset for s in seqs} == {'demo'}
    assert DemoDataset().base_path == os.path.join(demo_env, 'otb')
    real = get_dataset('demo_real')
    assert len(real) == len(REAL_PLAN) and {s.dataset for s in real} == {'demo_real'}
    with pytest.raises(ValueError, match='subset'):
        DemoDataset(subset='nope')
