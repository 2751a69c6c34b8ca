"""TrackingNet test set (511 sequences; scored by the server).

Layout: `{trackingnet_path}/TEST/anno/{seq}.txt` (comma x,y,w,h; only the first box) and
`TEST/frames/{seq}/{i}.jpg` with i = 0, 1, ... (sorted as integers).
"""
import os

import numpy as np

from pytracking.evaluation._common import require_dataset_root, sorted_frames_by_int
from pytracking.evaluation.data import BaseDataset, Sequence, SequenceList
from pytracking.utils.load_text import load_text


class TrackingNetDataset(BaseDataset):
    """`load_frames=False` skips listing the frame folders (sequences then have no frames)."""

    def __init__(self, load_frames=True, vos_mode=False):
        super().__init__()
        if vos_mode:
            raise NotImplementedError('TrackingNetDataset(vos_mode=True) is not supported here')
        self.base_path = require_dataset_root(self.env_settings, 'trackingnet_path')
        self.load_frames = load_frames
        self.sequence_list = self._list_sequences(self.base_path, ['TEST'])

    def get_sequence_list(self):
        return SequenceList([self._construct_sequence(s, name) for s, name in self.sequence_list])

    def _construct_sequence(self, set_name, sequence_name):
        anno_path = os.path.join(self.base_path, set_name, 'anno', sequence_name + '.txt')
        ground_truth_rect = load_text(anno_path, delimiter=',', dtype=np.float64, backend='numpy')
        frames_list = []
        if self.load_frames:
            frames_list = sorted_frames_by_int(os.path.join(self.base_path, set_name, 'frames', sequence_name))
        return Sequence(sequence_name, frames_list, 'trackingnet', ground_truth_rect.reshape(-1, 4))

    def __len__(self):
        return len(self.sequence_list)

    def _list_sequences(self, root, set_ids):
        sequence_list = []
        for s in set_ids:
            anno_dir = os.path.join(root, s, 'anno')
            if not os.path.isdir(anno_dir):
                raise FileNotFoundError('TrackingNet: annotation folder {} does not exist'.format(anno_dir))
            # Sorted (pytracking keeps os.listdir order, which is filesystem dependent).
            sequence_list += [(s, os.path.splitext(f)[0]) for f in sorted(os.listdir(anno_dir)) if f.endswith('.txt')]
        return sequence_list
