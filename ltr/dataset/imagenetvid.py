"""ImageNet VID (ILSVRC 2015) object tracklets as video sequences (pytracking's `ImagenetVID`; not used by ATOM)."""
import json
import os
import warnings
import xml.etree.ElementTree as ET

import torch

from ltr.data.image_loader import default_image_loader
from ltr.dataset.annotation_io import AnnotationError, resolve_root
from ltr.dataset.base_video_dataset import BaseVideoDataset, annotations_of_frames, empty_object_meta

CACHE_FILE = 'cache.json'


def get_target_to_image_ratio(seq):
    """sqrt(first-frame box area / image area) of a tracklet record."""
    anno = torch.tensor(seq['anno'], dtype=torch.float32)
    img_sz = torch.tensor(seq['image_size'], dtype=torch.float32)
    return (anno[0, 2:4].prod() / img_sz.prod()).sqrt()


def _text(node, tag, xml_path):
    found = node.find(tag)
    if found is None or found.text is None:
        raise AnnotationError('{}: missing <{}>'.format(xml_path, tag))
    return found.text.strip()


def _int(node, tag, xml_path):
    value = _text(node, tag, xml_path)
    try:
        return int(float(value))
    except ValueError:
        raise AnnotationError('{}: <{}> is {!r}, not a number'.format(xml_path, tag, value)) from None


def _parse_frame(xml_path):
    try:
        return ET.parse(xml_path).getroot()
    except ET.ParseError as e:
        raise AnnotationError('{}: not valid XML ({})'.format(xml_path, e)) from None


def build_tracklets(root):
    """Scan `root/Annotations/VID/train/<set>/<video>/*.xml` and return one record per object track:
    {'set_id', 'vid_id', 'class_name' (WordNet id), 'start_frame', 'anno' (x,y,w,h per frame), 'target_visible',
    'image_size' [W, H]}. A track runs from its first appearance until the first frame it is missing in."""
    anno_root = os.path.join(root, 'Annotations', 'VID', 'train')
    if not os.path.isdir(anno_root):
        raise FileNotFoundError('ImageNet VID: annotation folder {} not found'.format(anno_root))
    tracklets = []
    for set_name in sorted(os.listdir(anno_root)):
        set_dir = os.path.join(anno_root, set_name)
        if not os.path.isdir(set_dir):
            continue
        set_id = int(set_name.split('_')[-1])
        for vid_name in sorted(os.listdir(set_dir)):
            vid_dir = os.path.join(set_dir, vid_name)
            xml_files = sorted(f for f in os.listdir(vid_dir) if f.endswith('.xml'))
            if not xml_files:
                continue
            frames = [_parse_frame(os.path.join(vid_dir, f)) for f in xml_files]
            first = os.path.join(vid_dir, xml_files[0])
            image_size = [_int(frames[0], 'size/width', first), _int(frames[0], 'size/height', first)]
            # per frame: track id -> (class, box, visible)
            per_frame = []
            for f, xml_file in zip(frames, xml_files):
                path = os.path.join(vid_dir, xml_file)
                objects = {}
                for obj in f.findall('object'):
                    x1, y1 = _int(obj, 'bndbox/xmin', path), _int(obj, 'bndbox/ymin', path)
                    x2, y2 = _int(obj, 'bndbox/xmax', path), _int(obj, 'bndbox/ymax', path)
                    objects[_text(obj, 'trackid', path)] = (_text(obj, 'name', path), [x1, y1, x2 - x1, y2 - y1],
                                                           _text(obj, 'occluded', path) == '0')
                per_frame.append(objects)
            starts = {}
            for f_id, objects in enumerate(per_frame):
                for track_id in objects:
                    starts.setdefault(track_id, f_id)
            for track_id, start in starts.items():
                anno, visible, class_name = [], [], None
                for objects in per_frame[start:]:
                    if track_id not in objects:
                        break
                    name, box, vis = objects[track_id]
                    class_name = class_name or name
                    anno.append(box)
                    visible.append(vis)
                tracklets.append({'set_id': set_id, 'vid_id': int(vid_name.split('_')[-1]), 'class_name': class_name,
                                  'start_frame': start, 'anno': anno, 'target_visible': visible,
                                  'image_size': image_size})
    return tracklets


# Kept for pytracking API compatibility; not on ATOM's path.
class ImagenetVID(BaseVideoDataset):
    """ImageNet VID (Russakovsky et al., IJCV 2015): every object track of the training videos is a sequence.

    Layout: `root/Annotations/VID/train/ILSVRC2015_VID_train_<set:04d>/ILSVRC2015_train_<vid:08d>/<frame:06d>.xml`
    and the same path under `root/Data/VID/train/...` with `.JPEG` frames. The parsed tracks are cached in
    `root/cache.json` (written atomically; if the root is read-only the cache is skipped with a warning).
    `visible = not occluded and w > 0 and h > 0`.
    """

    def __init__(self, root=None, image_loader=default_image_loader, min_length=0, max_target_area=1):
        """
        args:
            root - path to the ILSVRC2015 folder (default: env_settings().imagenet_dir)
            image_loader - function reading a frame (default: default_image_loader)
            min_length - keep tracks with at least this many frames
            max_target_area - keep tracks whose first box is smaller than this (sqrt of area ratio to the image)
        """
        root = resolve_root(root, 'imagenet_dir', 'ImageNet VID')
        super().__init__('imagenetvid', root, image_loader)

        cache_file = os.path.join(root, CACHE_FILE)
        if os.path.isfile(cache_file):
            try:
                with open(cache_file) as f:
                    sequence_list = json.load(f)
            except ValueError as e:
                raise AnnotationError('{}: broken cache file ({}); delete it to rebuild'.format(cache_file, e)) from e
        else:
            sequence_list = build_tracklets(root)
            try:
                from ltr.admin.atomic_io import atomic_write_text
                atomic_write_text(cache_file, json.dumps(sequence_list))
            except OSError as e:
                warnings.warn('ImageNet VID: could not write the cache {} ({})'.format(cache_file, e), RuntimeWarning,
                              stacklevel=2)

        self.sequence_list = [x for x in sequence_list if len(x['anno']) >= min_length and
                              get_target_to_image_ratio(x) < max_target_area]

    def get_name(self):
        return 'imagenetvid'

    def get_num_sequences(self):
        return len(self.sequence_list)

    def get_sequence_info(self, seq_id):
        bb_anno = torch.tensor(self.sequence_list[seq_id]['anno'], dtype=torch.float32)
        valid = (bb_anno[:, 2] > 0) & (bb_anno[:, 3] > 0)
        visible = torch.tensor(self.sequence_list[seq_id]['target_visible'], dtype=torch.bool) & valid
        return {'bbox': bb_anno, 'valid': valid, 'visible': visible}

    def _get_frame(self, sequence, frame_id):
        set_name = 'ILSVRC2015_VID_train_{:04d}'.format(sequence['set_id'])
        vid_name = 'ILSVRC2015_train_{:08d}'.format(sequence['vid_id'])
        frame_number = frame_id + sequence['start_frame']
        frame_path = os.path.join(self.root, 'Data', 'VID', 'train', set_name, vid_name,
                                  '{:06d}.JPEG'.format(frame_number))
        return self.image_loader(frame_path)

    def get_frames(self, seq_id, frame_ids, anno=None):
        sequence = self.sequence_list[seq_id]
        frame_list = [self._get_frame(sequence, f) for f in frame_ids]
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        anno_frames = annotations_of_frames(anno, frame_ids)
        # The class is a WordNet id such as 'n02691156'.
        return frame_list, anno_frames, empty_object_meta(sequence['class_name'])
