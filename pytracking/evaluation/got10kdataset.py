"""GOT-10k benchmark: `test`, `val`, or `ltrval` (the 1401 train sequences ltr holds out for validation).

Layout: `{got10k_path}/{test|val|train}/list.txt` and `{split}/{seq}/{frame:08d}.jpg` with `groundtruth.txt`
(comma x,y,w,h). The test split's ground truth holds only the first box, so it is scored by the server.
"""
import os

import numpy as np

from pytracking.evaluation._common import require_dataset_root, sorted_frames_by_int
from pytracking.evaluation.data import BaseDataset, Sequence, SequenceList
from pytracking.utils.load_text import load_text

_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class GOT10KDataset(BaseDataset):
    def __init__(self, split, vos_mode=False):
        super().__init__()
        if split not in ('test', 'val', 'ltrval'):
            raise ValueError("GOT10KDataset: split must be 'test', 'val' or 'ltrval', got {!r}".format(split))
        if vos_mode:
            raise NotImplementedError('GOT10KDataset(vos_mode=True) needs GOT-10k masks; not supported here')
        root = require_dataset_root(self.env_settings, 'got10k_path')
        self.base_path = os.path.join(root, split if split in ('test', 'val') else 'train')
        self.split = split
        self.sequence_list = self._get_sequence_list(split)

    def get_sequence_list(self):
        return SequenceList([self._construct_sequence(s) for s in self.sequence_list])

    def _construct_sequence(self, sequence_name):
        seq_dir = os.path.join(self.base_path, sequence_name)
        ground_truth_rect = load_text(os.path.join(seq_dir, 'groundtruth.txt'), delimiter=',',
                                      dtype=np.float64, backend='numpy')
        frames_list = sorted_frames_by_int(seq_dir, '.jpg')
        return Sequence(sequence_name, frames_list, 'got10k', ground_truth_rect.reshape(-1, 4))

    def __len__(self):
        return len(self.sequence_list)

    def _get_sequence_list(self, split):
        list_file = os.path.join(self.base_path, 'list.txt')
        if not os.path.isfile(list_file):
            raise FileNotFoundError('GOT-10k {}: sequence list {} does not exist'.format(split, list_file))
        with open(list_file) as f:
            sequence_list = [line.strip() for line in f if line.strip()]
        if split == 'ltrval':
            # pytracking reads env_settings().dataspec_path, which its defaults lack (AttributeError);
            # fall back to the split file shipped in ltr/data_specs.
            spec_dir = getattr(self.env_settings, 'dataspec_path', '') or os.path.join(_REPO_ROOT, 'ltr', 'data_specs')
            with open(os.path.join(spec_dir, 'got10k_val_split.txt')) as f:
                seq_ids = [line.strip() for line in f if line.strip()]
            sequence_list = [sequence_list[int(x)] for x in seq_ids]
        return sequence_list
