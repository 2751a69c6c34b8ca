"""VOT2018 short-term dataset, in the VOT toolkit layout, evaluated as one-pass (OPE) tracking.

Layout: `{vot_path}/{seq}/color/{frame:08d}.jpg` (or `{seq}/{frame:08d}.jpg`, older layout) and
`{seq}/groundtruth.txt`. Ground truth is either rectangles (x,y,w,h) or 8-value polygons, which are converted
to their axis-aligned bounding rectangle. The sequence list is `{vot_path}/list.txt` when present, otherwise
VOT2018's 60 sequences.
"""
import os

import numpy as np

from pytracking.evaluation.data import Sequence, BaseDataset, SequenceList
from pytracking.evaluation._common import require_dataset_root
from pytracking.utils.load_text import load_text

VOT2018_SEQUENCES = [
    'ants1', 'ants3', 'bag', 'ball1', 'ball2', 'basketball', 'birds1', 'blanket', 'bmx', 'bolt1', 'bolt2',
    'book', 'butterfly', 'car1', 'conduction1', 'crabs1', 'crossing', 'dinosaur', 'drone_across', 'drone_flip',
    'drone1', 'fernando', 'fish1', 'fish2', 'fish3', 'flamingo1', 'frisbee', 'girl', 'glove', 'godfather',
    'graduate', 'gymnastics1', 'gymnastics2', 'gymnastics3', 'hand', 'handball1', 'handball2', 'helicopter',
    'iceskater1', 'iceskater2', 'leaves', 'matrix', 'motocross1', 'motocross2', 'nature', 'pedestrian1',
    'rabbit', 'racing', 'road', 'shaking', 'sheep', 'singer2', 'singer3', 'soccer1', 'soccer2', 'soldier',
    'tiger', 'traffic', 'wiper', 'zebrafish1']


def polygons_to_rects(gt):
    """[N, 8] corner polygons -> [N, 4] axis-aligned x,y,w,h of their bounding rectangle."""
    xs, ys = gt[:, 0::2], gt[:, 1::2]
    x1, y1 = xs.min(1), ys.min(1)
    return np.stack([x1, y1, xs.max(1) - x1, ys.max(1) - y1], axis=1)


class VOTDataset(BaseDataset):
    def __init__(self):
        super().__init__()
        self.base_path = self.env_settings.vot_path
        self.sequence_list = None

    def get_sequence_list(self):
        require_dataset_root(self.env_settings, 'vot_path')
        return SequenceList([self._construct_sequence(s) for s in self._get_sequence_list()])

    def _construct_sequence(self, sequence_name):
        seq_dir = os.path.join(self.base_path, sequence_name)
        # Whitespace first, then commas (the VOT toolkit writes commas).
        ground_truth_rect = load_text(os.path.join(seq_dir, 'groundtruth.txt'), delimiter=(None, ','),
                                      dtype=np.float64, backend='numpy')
        frame_dir = os.path.join(seq_dir, 'color') if os.path.isdir(os.path.join(seq_dir, 'color')) else seq_dir
        frames = [os.path.join(frame_dir, '{:08d}.jpg'.format(n)) for n in range(1, ground_truth_rect.shape[0] + 1)]
        if ground_truth_rect.shape[1] > 4:
            ground_truth_rect = polygons_to_rects(ground_truth_rect)
        return Sequence(sequence_name, frames, 'vot', ground_truth_rect)

    def __len__(self):
        return len(self._get_sequence_list())

    def _get_sequence_list(self):
        if self.sequence_list is None:
            list_file = os.path.join(self.base_path, 'list.txt') if self.base_path else ''
            if list_file and os.path.isfile(list_file):
                with open(list_file) as f:
                    self.sequence_list = [line.strip() for line in f if line.strip()]
            else:
                self.sequence_list = list(VOT2018_SEQUENCES)
        return self.sequence_list
