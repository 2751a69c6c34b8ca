"""MS-COCO objects as one-frame 'sequences' (pytracking's `MSCOCOSeq`)."""
import os
import random
from collections import OrderedDict

import torch

from ltr.data.image_loader import jpeg4py_loader
from ltr.dataset.annotation_io import AnnotationError, resolve_root
from ltr.dataset.base_video_dataset import BaseVideoDataset, empty_object_meta


class MSCOCOSeq(BaseVideoDataset):
    """MS-COCO (Lin et al., ECCV 2014). Each annotation with `iscrowd == 0` is a sequence of one frame.

    Layout: `root/annotations/instances_<split><version>.json` and `root/images/<split><version>/<file_name>`.
    `get_sequence_info` gives 'bbox' (1x4), 'mask' (1xHxW, from pycocotools `annToMask`), 'valid' and 'visible'
    (w > 0 and h > 0). `get_frames` ignores `frame_ids` except for their number: it returns that many copies of the
    image. Needs pycocotools.
    """

    def __init__(self, root=None, image_loader=jpeg4py_loader, data_fraction=None, split='train', version='2014'):
        """
        args:
            root - path to the COCO folder (default: env_settings().coco_dir)
            image_loader - function reading an image (default: jpeg4py_loader)
            data_fraction - keep a random fraction of the annotations (Python `random`)
            split - 'train' or 'val'
            version - '2014' or '2017'
        """
        root = resolve_root(root, 'coco_dir', 'COCO')
        super().__init__('COCO', root, image_loader)

        self.img_pth = os.path.join(root, 'images/{}{}/'.format(split, version))
        self.anno_path = os.path.join(root, 'annotations/instances_{}{}.json'.format(split, version))
        if not os.path.isfile(self.anno_path):
            raise FileNotFoundError('COCO annotation file {} not found (split={!r}, version={!r})'.format(
                self.anno_path, split, version))

        try:
            from pycocotools.coco import COCO
        except ImportError as e:
            raise ImportError('MSCOCOSeq needs pycocotools: pip install pycocotools') from e
        try:
            self.coco_set = COCO(self.anno_path)
        except (ValueError, KeyError, TypeError) as e:
            raise AnnotationError('{}: not a valid COCO annotation file ({}: {})'.format(
                self.anno_path, type(e).__name__, e)) from e

        self.cats = self.coco_set.cats
        self.class_list = self.get_class_list()
        self.sequence_list = self._get_sequence_list()

        if data_fraction is not None:
            self.sequence_list = random.sample(self.sequence_list, int(len(self.sequence_list) * data_fraction))
        self.seq_per_class = self._build_seq_per_class()

    def _get_sequence_list(self):
        ann_list = list(self.coco_set.anns.keys())
        return [a for a in ann_list if self.coco_set.anns[a].get('iscrowd', 0) == 0]

    def is_video_sequence(self):
        return False

    def get_num_classes(self):
        return len(self.class_list)

    def get_name(self):
        return 'coco'

    def has_class_info(self):
        return True

    def get_class_list(self):
        return [self.cats[cat_id]['name'] for cat_id in self.cats.keys()]

    def has_segmentation_info(self):
        return True

    def get_num_sequences(self):
        return len(self.sequence_list)

    def _build_seq_per_class(self):
        seq_per_class = {}
        for i, seq in enumerate(self.sequence_list):
            category = self.coco_set.anns[seq].get('category_id')
            if category not in self.cats:
                raise AnnotationError('{}: annotation id {} has category_id {!r}, which is not in "categories"'
                                      .format(self.anno_path, seq, category))
            class_name = self.cats[category]['name']
            seq_per_class.setdefault(class_name, []).append(i)
        return seq_per_class

    def get_sequences_in_class(self, class_name):
        return self.seq_per_class[class_name]

    def get_sequence_info(self, seq_id):
        anno = self._get_anno(seq_id)
        box = anno.get('bbox')
        if box is None or len(box) != 4:
            raise AnnotationError('{}: annotation id {} has bbox {!r}, expected [x, y, w, h]'.format(
                self.anno_path, anno.get('id'), box))
        try:
            bbox = torch.tensor(box, dtype=torch.float32).view(1, 4)
        except (TypeError, ValueError, RuntimeError):
            raise AnnotationError('{}: annotation id {} has bbox {!r}, expected 4 numbers [x, y, w, h]'.format(
                self.anno_path, anno.get('id'), box)) from None
        if not torch.isfinite(bbox).all():
            raise AnnotationError('{}: annotation id {} has a non-finite bbox {!r}'.format(
                self.anno_path, anno.get('id'), box))
        if anno.get('image_id') not in self.coco_set.imgs:
            raise AnnotationError('{}: annotation id {} refers to image_id {!r}, which is not in "images"'.format(
                self.anno_path, anno.get('id'), anno.get('image_id')))
        try:
            mask = torch.from_numpy(self.coco_set.annToMask(anno)).float().unsqueeze(dim=0)
        except Exception as e:  # pycocotools raises KeyError, IndexError or a bare Exception on a bad polygon/RLE
            raise AnnotationError('{}: annotation id {} has an unreadable segmentation ({}: {})'.format(
                self.anno_path, anno.get('id'), type(e).__name__, e)) from None
        valid = (bbox[:, 2] > 0) & (bbox[:, 3] > 0)
        visible = valid.clone()
        return {'bbox': bbox, 'mask': mask, 'valid': valid, 'visible': visible}

    def _get_anno(self, seq_id):
        return self.coco_set.anns[self.sequence_list[seq_id]]

    def _get_frames(self, seq_id):
        anno = self.coco_set.anns[self.sequence_list[seq_id]]
        try:
            path = self.coco_set.loadImgs([anno['image_id']])[0]['file_name']
        except (KeyError, IndexError, TypeError):
            raise AnnotationError('{}: annotation id {} refers to image_id {!r}, which is not in "images" (or has '
                                  'no file_name)'.format(self.anno_path, anno.get('id'), anno.get('image_id'))) \
                from None
        return self.image_loader(os.path.join(self.img_pth, path))

    def get_meta_info(self, seq_id):
        try:
            cat_dict_current = self.cats[self.coco_set.anns[self.sequence_list[seq_id]]['category_id']]
            object_meta = OrderedDict({'object_class_name': cat_dict_current['name'],
                                       'motion_class': None,
                                       'major_class': cat_dict_current.get('supercategory'),
                                       'root_class': None,
                                       'motion_adverb': None})
        except (KeyError, IndexError):
            object_meta = empty_object_meta()
        return object_meta

    def get_class_name(self, seq_id):
        cat_dict_current = self.cats[self.coco_set.anns[self.sequence_list[seq_id]]['category_id']]
        return cat_dict_current['name']

    def get_frames(self, seq_id=None, frame_ids=None, anno=None):
        # COCO is an image dataset: every requested "frame" is the same image.
        frame = self._get_frames(seq_id)
        frame_list = [frame.copy() for _ in frame_ids]
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        anno_frames = {key: [value[0, ...] for _ in frame_ids] for key, value in anno.items()}
        object_meta = self.get_meta_info(seq_id)
        return frame_list, anno_frames, object_meta
