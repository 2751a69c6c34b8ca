"""Sequences and datasets as the tracker runner sees them (pytracking's `evaluation/data.py` semantics).

A `Sequence` holds frame paths, ground truth and the initialisation data. Frames before the first
frame that has init data are dropped, so frame 0 is always the init frame.
"""
from collections import OrderedDict

import numpy as np


class BaseDataset:
    """Base class for the evaluation datasets: subclasses fill `get_sequence_list` and `__len__`."""

    def __init__(self):
        from pytracking.evaluation.environment import env_settings  # lazy: keeps data.py importable alone
        self.env_settings = env_settings()

    def __len__(self):
        raise NotImplementedError

    def get_sequence_list(self):
        """Return a `SequenceList` with all sequences of the dataset."""
        raise NotImplementedError


def _read_indexed_png(path):
    """Read a palette PNG (segmentation mask) as its index image."""
    from PIL import Image
    return np.array(Image.open(path))


class Sequence:
    """One tracking sequence: `frames` are image paths, `ground_truth_rect` is an [N, 4] x,y,w,h array
    (or a dict obj_id -> array for multi-object sequences)."""

    def __init__(self, name, frames, dataset, ground_truth_rect, ground_truth_seg=None, init_data=None,
                 object_class=None, target_visible=None, object_ids=None, multiobj_mode=False):
        self.name = name
        self.frames = frames
        self.dataset = dataset
        self.ground_truth_rect = ground_truth_rect
        self.ground_truth_seg = ground_truth_seg
        self.object_class = object_class
        self.target_visible = target_visible
        self.object_ids = object_ids
        self.multiobj_mode = multiobj_mode
        self.init_data = self._construct_init_data(init_data)
        self._ensure_start_frame()

    def _ensure_start_frame(self):
        """Drop everything before the first frame with init data and renumber the init data from 0."""
        start_frame = min(self.init_data.keys())
        if start_frame <= 0:
            return
        self.frames = self.frames[start_frame:]
        if self.ground_truth_rect is not None:
            if isinstance(self.ground_truth_rect, (dict, OrderedDict)):
                for obj_id, gt in self.ground_truth_rect.items():
                    self.ground_truth_rect[obj_id] = gt[start_frame:, :]
            else:
                self.ground_truth_rect = self.ground_truth_rect[start_frame:, :]
        if self.ground_truth_seg is not None:
            self.ground_truth_seg = self.ground_truth_seg[start_frame:]
            assert len(self.frames) == len(self.ground_truth_seg)
        if self.target_visible is not None:
            self.target_visible = self.target_visible[start_frame:]
        self.init_data = {frame - start_frame: val for frame, val in self.init_data.items()}

    def _construct_init_data(self, init_data):
        if init_data is not None:
            if not self.multiobj_mode:
                assert self.object_ids is None or len(self.object_ids) == 1
                for init_val in init_data.values():
                    if 'bbox' in init_val and isinstance(init_val['bbox'], (dict, OrderedDict)):
                        init_val['bbox'] = init_val['bbox'][self.object_ids[0]]
            # Boxes are handed to the tracker as plain lists.
            for init_val in init_data.values():
                if 'bbox' in init_val:
                    if isinstance(init_val['bbox'], (dict, OrderedDict)):
                        init_val['bbox'] = OrderedDict((k, list(v)) for k, v in init_val['bbox'].items())
                    else:
                        init_val['bbox'] = list(init_val['bbox'])
            return init_data

        init_data = {0: dict()}
        if self.object_ids is not None:
            init_data[0]['object_ids'] = self.object_ids
        if self.ground_truth_rect is not None:
            if self.multiobj_mode:
                assert isinstance(self.ground_truth_rect, (dict, OrderedDict))
                init_data[0]['bbox'] = OrderedDict((k, list(gt[0, :])) for k, gt in self.ground_truth_rect.items())
            else:
                assert self.object_ids is None or len(self.object_ids) == 1
                if isinstance(self.ground_truth_rect, (dict, OrderedDict)):
                    init_data[0]['bbox'] = list(self.ground_truth_rect[self.object_ids[0]][0, :])
                else:
                    init_data[0]['bbox'] = list(self.ground_truth_rect[0, :])
        if self.ground_truth_seg is not None:
            init_data[0]['mask'] = self.ground_truth_seg[0]
        return init_data

    def init_info(self):
        return self.frame_info(frame_num=0)

    def frame_info(self, frame_num):
        return self.object_init_data(frame_num=frame_num)

    def init_bbox(self, frame_num=0):
        return self.object_init_data(frame_num=frame_num).get('init_bbox')

    def init_mask(self, frame_num=0):
        return self.object_init_data(frame_num=frame_num).get('init_mask')

    def get_bbox(self, frame_num, object_id=None):
        """Ground-truth box of `frame_num` (of `object_id` for multi-object ground truth), or None."""
        if self.ground_truth_rect is None:
            return None
        gt = self.ground_truth_rect
        if isinstance(gt, (dict, OrderedDict)):
            if object_id is None:
                if self.object_ids is None or len(self.object_ids) != 1:
                    raise ValueError('Sequence {}: give object_id for multi-object ground truth'.format(self.name))
                object_id = self.object_ids[0]
            gt = gt[object_id]
        return gt[frame_num, :]

    def get_info(self, keys, frame_num=None):
        info = dict()
        for k in keys:
            val = self.get(k, frame_num=frame_num)
            if val is not None:
                info[k] = val
        return info

    def object_init_data(self, frame_num=None) -> dict:
        """Init data of `frame_num` with keys prefixed by 'init_' ({} if that frame has none)."""
        if frame_num is None:
            frame_num = 0
        if frame_num not in self.init_data:
            return dict()
        init_data = dict()
        for key, val in self.init_data[frame_num].items():
            if val is None:
                continue
            init_data['init_' + key] = val
        if init_data.get('init_mask') is not None:
            anno = _read_indexed_png(init_data['init_mask'])
            if not self.multiobj_mode and self.object_ids is not None:
                assert len(self.object_ids) == 1
                anno = (anno == int(self.object_ids[0])).astype(np.uint8)
            init_data['init_mask'] = anno
        if self.object_ids is not None:
            init_data['object_ids'] = self.object_ids
            init_data['sequence_object_ids'] = self.object_ids
        return init_data

    def target_class(self, frame_num=None):
        return self.object_class

    def get(self, name, frame_num=None):
        return getattr(self, name)(frame_num)

    def __repr__(self):
        return '{self.__class__.__name__} {self.name}, length={len} frames'.format(self=self, len=len(self.frames))


class SequenceList(list):
    """List of sequences, indexable by name, position, list of positions or slice."""

    def __getitem__(self, item):
        if isinstance(item, str):
            for seq in self:
                if seq.name == item:
                    return seq
            raise IndexError('Sequence name {!r} not in the dataset.'.format(item))
        elif isinstance(item, int):
            return super().__getitem__(item)
        elif isinstance(item, (tuple, list)):
            return SequenceList([super(SequenceList, self).__getitem__(i) for i in item])
        return SequenceList(super().__getitem__(item))

    def __add__(self, other):
        return SequenceList(super().__add__(other))

    def copy(self):
        return SequenceList(super().copy())
