"""GOT-10k training set (pytracking's `Got10k`)."""
import os
import random
import warnings
from collections import OrderedDict

from ltr.data.image_loader import jpeg4py_loader
from ltr.dataset.annotation_io import AnnotationError, read_box_file, read_label_column, read_name_list, resolve_root
from ltr.dataset.base_video_dataset import BaseVideoDataset, annotations_of_frames

_DATA_SPECS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'data_specs')
SPLIT_FILES = {'train': 'got10k_train_split.txt', 'val': 'got10k_val_split.txt',
               'vottrain': 'got10k_vot_train_split.txt', 'votval': 'got10k_vot_val_split.txt'}
_META_KEYS = ('object_class_name', 'motion_class', 'major_class', 'root_class', 'motion_adverb')


class Got10k(BaseVideoDataset):
    """GOT-10k (Huang et al., TPAMI 2019), official *train* folder.

    Layout: `root/list.txt` (one sequence folder per line); per sequence `groundtruth.txt` (x,y,w,h per line),
    `absence.label` (1 = absent), `cover.label` (0..8, visible fraction in eighths), `meta_info.ini`, and frames
    `00000001.jpg, ...`. `visible = not absent and cover > 0 and w > 0 and h > 0`; `visible_ratio = cover / 8`.

    `split` picks an ltr-defined subset of the official train set by 0-based indices into list.txt:
    'train', 'val', 'vottrain', 'votval' (files in ltr/data_specs), or 'train_full' (all sequences).
    Differences from pytracking (which only crash otherwise): split indices beyond list.txt (a partial download,
    or the small embedded demo data) are dropped with a warning; malformed files raise `AnnotationError` naming
    file and line; meta_info values keep their last character when the file has no final newline.
    """

    def __init__(self, root=None, image_loader=jpeg4py_loader, split=None, seq_ids=None, data_fraction=None):
        """
        args:
            root - path to the GOT-10k training data (default: env_settings().got10k_dir)
            image_loader - function reading a frame (default: jpeg4py_loader)
            split - 'train', 'val', 'vottrain', 'votval' or 'train_full' (None: all sequences)
            seq_ids - explicit 0-based indices into list.txt (not together with split)
            data_fraction - keep a random fraction of the sequences (Python `random`)
        """
        root = resolve_root(root, 'got10k_dir', 'GOT-10k')
        super().__init__('GOT10k', root, image_loader)

        all_sequences = self._get_sequence_list()
        if split is not None:
            if seq_ids is not None:
                raise ValueError('Cannot set both split_name and seq_ids.')
            if split == 'train_full':
                seq_ids = list(range(len(all_sequences)))
            elif split in SPLIT_FILES:
                split_file = os.path.join(_DATA_SPECS, SPLIT_FILES[split])
                seq_ids = [int(v) for v in read_name_list(split_file, 'GOT-10k split')]
                kept = [i for i in seq_ids if 0 <= i < len(all_sequences)]
                if len(kept) < len(seq_ids):
                    warnings.warn('GOT-10k split {!r}: {} of {} indices are beyond the {} sequences of {}; using the '
                                  '{} that exist'.format(split, len(seq_ids) - len(kept), len(seq_ids),
                                                         len(all_sequences), os.path.join(root, 'list.txt'),
                                                         len(kept)), RuntimeWarning, stacklevel=2)
                    if not kept:
                        raise ValueError('GOT-10k split {!r} selects no sequence of {}'.format(
                            split, os.path.join(root, 'list.txt')))
                seq_ids = kept
            else:
                raise ValueError('Unknown split name {!r} (known: {}, train_full)'.format(
                    split, ', '.join(SPLIT_FILES)))
        elif seq_ids is None:
            seq_ids = list(range(0, len(all_sequences)))
        bad = [i for i in seq_ids if not 0 <= i < len(all_sequences)]
        if bad:
            raise IndexError('GOT-10k seq_ids {} out of range: {} lists {} sequences'.format(
                bad[:5], os.path.join(root, 'list.txt'), len(all_sequences)))
        self.sequence_list = [all_sequences[i] for i in seq_ids]

        if data_fraction is not None:
            self.sequence_list = random.sample(self.sequence_list, int(len(self.sequence_list) * data_fraction))

        self.sequence_meta_info = self._load_meta_info()
        self.seq_per_class = self._build_seq_per_class()
        self.class_list = list(self.seq_per_class.keys())
        self.class_list.sort()

    def get_name(self):
        return 'got10k'

    def has_class_info(self):
        return True

    def has_occlusion_info(self):
        return True

    def _load_meta_info(self):
        return {s: self._read_meta(os.path.join(self.root, s)) for s in self.sequence_list}

    def _read_meta(self, seq_path):
        """Lines 5..9 (0-based) of meta_info.ini hold 'key: value' for the five meta fields; all None if the
        file is missing or short (as pytracking)."""
        try:
            with open(os.path.join(seq_path, 'meta_info.ini')) as f:
                meta_info = f.read().splitlines()
            values = [meta_info[i].split(': ')[-1] for i in range(5, 10)]
        except (OSError, IndexError):
            values = [None] * 5
        return OrderedDict(zip(_META_KEYS, values))

    def _build_seq_per_class(self):
        seq_per_class = {}
        for i, s in enumerate(self.sequence_list):
            object_class = self.sequence_meta_info[s]['object_class_name']
            seq_per_class.setdefault(object_class, []).append(i)
        return seq_per_class

    def get_sequences_in_class(self, class_name):
        return self.seq_per_class[class_name]

    def _get_sequence_list(self):
        list_file = os.path.join(self.root, 'list.txt')
        names = read_name_list(list_file, 'GOT-10k list.txt')
        if not names:
            raise AnnotationError('{}: sequence list is empty'.format(list_file))
        return names

    def _read_bb_anno(self, seq_path):
        return read_box_file(os.path.join(seq_path, 'groundtruth.txt'))

    def _read_target_visible(self, seq_path, num_frames=None):
        absence = read_label_column(os.path.join(seq_path, 'absence.label'), num_frames, allowed=(0, 1))
        cover = read_label_column(os.path.join(seq_path, 'cover.label'), num_frames, allowed=range(9))
        target_visible = (absence == 0) & (cover > 0)
        visible_ratio = cover.float() / 8
        return target_visible, visible_ratio

    def _get_sequence_path(self, seq_id):
        return os.path.join(self.root, self.sequence_list[seq_id])

    def get_sequence_info(self, seq_id):
        seq_path = self._get_sequence_path(seq_id)
        bbox = self._read_bb_anno(seq_path)
        valid = (bbox[:, 2] > 0) & (bbox[:, 3] > 0)
        visible, visible_ratio = self._read_target_visible(seq_path, num_frames=bbox.shape[0])
        visible = visible & valid
        return {'bbox': bbox, 'valid': valid, 'visible': visible, 'visible_ratio': visible_ratio}

    def _get_frame_path(self, seq_path, frame_id):
        return os.path.join(seq_path, '{:08}.jpg'.format(frame_id + 1))  # frames start from 1

    def _get_frame(self, seq_path, frame_id):
        return self.image_loader(self._get_frame_path(seq_path, frame_id))

    def get_class_name(self, seq_id):
        return self.sequence_meta_info[self.sequence_list[seq_id]]['object_class_name']

    def get_frames(self, seq_id, frame_ids, anno=None):
        seq_path = self._get_sequence_path(seq_id)
        obj_meta = self.sequence_meta_info[self.sequence_list[seq_id]]
        frame_list = [self._get_frame(seq_path, f_id) for f_id in frame_ids]
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        anno_frames = annotations_of_frames(anno, frame_ids)
        return frame_list, anno_frames, obj_meta
