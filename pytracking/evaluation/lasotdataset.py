"""LaSOT benchmark (test set of protocol II, 280 sequences) and its 1120 training sequences.

Layout: `{lasot_path}/{class}/{class}-{n}/img/{frame:08d}.jpg`, `groundtruth.txt` (comma x,y,w,h), and
`full_occlusion.txt` / `out_of_view.txt` (one comma-separated line of 0/1 per frame). A frame's target is
visible when it is neither fully occluded nor out of view.

The sequence lists are not pasted here: LaSOT has 70 classes x 20 sequences; the training split is
`ltr/data_specs/lasot_train_split.txt` (16 per class) and the test set is the other 4 of each class.
"""
import os

import numpy as np

from pytracking.evaluation._common import (
    attribute_names,
    filter_by_attribute,
    load_attribute_spec,
    require_dataset_root,
)
from pytracking.evaluation.data import BaseDataset, Sequence, SequenceList
from pytracking.utils.load_text import load_text

_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_TRAIN_SPLIT_FILE = os.path.join(_REPO_ROOT, 'ltr', 'data_specs', 'lasot_train_split.txt')


def lasot_train_sequence_names():
    with open(_TRAIN_SPLIT_FILE) as f:
        return [line.strip() for line in f if line.strip()]


def lasot_test_sequence_names():
    """The 280 test sequences: every `{class}-{1..20}` not in the training split, by class then number."""
    train = lasot_train_sequence_names()
    classes = sorted({name.rsplit('-', 1)[0] for name in train})
    train_set = set(train)
    return ['{}-{}'.format(c, i) for c in classes for i in range(1, 21) if '{}-{}'.format(c, i) not in train_set]


def _read_flag_line(path):
    return load_text(path, delimiter=',', dtype=np.float64, backend='numpy').reshape(-1)


class LaSOTDataset(BaseDataset):
    """LaSOT test set. `vos_mode` (segmentation masks) is not supported in this re-implementation."""

    def __init__(self, vos_mode=False, attribute=None):
        super().__init__()
        if vos_mode:
            raise NotImplementedError('LaSOTDataset(vos_mode=True) needs LaSOT masks; not supported here')
        self.base_path = self.env_settings.lasot_path
        self.sequence_list = self._get_sequence_list()
        self.clean_list = self.clean_seq_list()
        self.vos_mode = vos_mode
        self.att_dict = None
        if attribute is not None:
            self.att_dict = load_attribute_spec('lasot')
            self.sequence_list = filter_by_attribute(self.sequence_list, self.att_dict, attribute)

    def clean_seq_list(self):
        """Class name of every sequence (`airplane-1` -> `airplane`)."""
        return [name.rsplit('-', 1)[0] for name in self.sequence_list]

    def get_sequence_list(self):
        require_dataset_root(self.env_settings, 'lasot_path')
        return SequenceList([self._construct_sequence(s) for s in self.sequence_list])

    def _construct_sequence(self, sequence_name):
        class_name = sequence_name.rsplit('-', 1)[0]
        seq_dir = os.path.join(self.base_path, class_name, sequence_name)
        ground_truth_rect = load_text(os.path.join(seq_dir, 'groundtruth.txt'), delimiter=',',
                                      dtype=np.float64, backend='numpy')
        full_occlusion = _read_flag_line(os.path.join(seq_dir, 'full_occlusion.txt'))
        out_of_view = _read_flag_line(os.path.join(seq_dir, 'out_of_view.txt'))
        target_visible = np.logical_and(full_occlusion == 0, out_of_view == 0)
        frames_list = [os.path.join(seq_dir, 'img', '{:08d}.jpg'.format(n))
                       for n in range(1, ground_truth_rect.shape[0] + 1)]
        return Sequence(sequence_name, frames_list, 'lasot', ground_truth_rect.reshape(-1, 4),
                        object_class=class_name, target_visible=target_visible)

    def get_attribute_names(self, mode='short'):
        if self.att_dict is None:
            self.att_dict = load_attribute_spec('lasot')
        return attribute_names(self.att_dict, mode)

    def __len__(self):
        return len(self.sequence_list)

    def _get_sequence_list(self):
        return lasot_test_sequence_names()


class LaSOTTrainSequencesDataset(LaSOTDataset):
    """The 1120 LaSOT training sequences, read as an evaluation dataset."""

    def __init__(self):
        super().__init__()

    def _get_sequence_list(self):
        return lasot_train_sequence_names()
