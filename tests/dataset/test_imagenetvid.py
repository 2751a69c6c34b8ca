"""ImagenetVID on a hand-written two-track ILSVRC VID layout (XML per frame)."""
import os

import numpy as np
import pytest
from PIL import Image

from ltr.dataset import ImagenetVID
from ltr.dataset.annotation_io import AnnotationError

# frame -> list of (trackid, wnid, xmin, ymin, xmax, ymax, occluded)
FRAMES = [
    [('0', 'n02691156', 10, 20, 40, 50, 0)],
    [('0', 'n02691156', 12, 21, 42, 52, 1), ('1', 'n02958343', 50, 5, 70, 30, 0)],
    [('0', 'n02691156', 14, 22, 44, 54, 0), ('1', 'n02958343', 52, 6, 72, 31, 0)],
    [('1', 'n02958343', 54, 7, 74, 32, 0)],
]


def _xml(objects, w=96, h=64):
    objs = ''.join('<object><trackid>{}</trackid><name>{}</name><bndbox><xmax>{}</xmax><xmin>{}</xmin>'
                   '<ymax>{}</ymax><ymin>{}</ymin></bndbox><occluded>{}</occluded><generated>0</generated></object>'
                   .format(t, n, x2, x1, y2, y1, o) for t, n, x1, y1, x2, y2, o in objects)
    return ('<annotation><folder>x</folder><size><width>{}</width><height>{}</height></size>{}</annotation>'
            .format(w, h, objs))


@pytest.fixture
def vid_root(tmp_path):
    rel = os.path.join('VID', 'train', 'ILSVRC2015_VID_train_0003', 'ILSVRC2015_train_00000042')
    anno_dir, data_dir = tmp_path / 'Annotations' / rel, tmp_path / 'Data' / rel
    anno_dir.mkdir(parents=True)
    data_dir.mkdir(parents=True)
    for i, objects in enumerate(FRAMES):
        (anno_dir / '{:06d}.xml'.format(i)).write_text(_xml(objects))
        Image.fromarray(np.full((64, 96, 3), 10 * i, np.uint8)).save(data_dir / '{:06d}.JPEG'.format(i), 'PNG')
    return tmp_path


def test_tracks_boxes_visibility_and_frames(vid_root):
    ds = ImagenetVID(str(vid_root))
    assert ds.get_name() == 'imagenetvid' and len(ds) == 2
    assert os.path.isfile(vid_root / 'cache.json')
    by_class = {s['class_name']: i for i, s in enumerate(ds.sequence_list)}
    plane = ds.get_sequence_info(by_class['n02691156'])
    np.testing.assert_array_equal(plane['bbox'].numpy(), [[10, 20, 30, 30], [12, 21, 30, 31], [14, 22, 30, 32]])
    assert plane['visible'].tolist() == [True, False, True]
    car_id = by_class['n02958343']
    car = ds.get_sequence_info(car_id)
    np.testing.assert_array_equal(car['bbox'].numpy(), [[50, 5, 20, 25], [52, 6, 20, 25], [54, 7, 20, 25]])
    frames, anno, meta = ds.get_frames(car_id, [0, 2])  # the car starts in video frame 1
    assert [int(f[0, 0, 0]) for f in frames] == [10, 30]
    assert meta['object_class_name'] == 'n02958343'
    # the cached list gives the same result; filters apply
    assert len(ImagenetVID(str(vid_root), min_length=4)) == 0
    assert len(ImagenetVID(str(vid_root), max_target_area=0.3)) == 1  # sqrt(30*30/(96*64)) = 0.38 > 0.3


def test_malformed_xml_names_the_file(vid_root):
    bad = next((vid_root / 'Annotations').rglob('000002.xml'))
    bad.write_text(_xml([('0', 'n02691156', 14, 22, 'x', 54, 0)]))
    with pytest.raises(AnnotationError, match='000002.xml'):
        ImagenetVID(str(vid_root))
