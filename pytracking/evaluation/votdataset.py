"""VOT2018 short-term dataset, in the VOT toolkit layout, evaluated as one-pass (OPE) tracking.

Layout (what the VOT toolkit downloads into `{workspace}/sequences`, and `make vot-demo` writes):
`{vot_path}/list.txt` (one sequence per line; VOT2018's 60 sequences when absent), and per sequence
`{seq}/groundtruth.txt` plus the frames: `{seq}/color/{frame:08d}.jpg`, or `{seq}/{frame:08d}.jpg` (older
layout), or whatever the optional `{seq}/sequence` file says (`channels.color=color/%08d.jpg`).
Ground-truth lines are 4-value rectangles x,y,w,h or 8-value (any even count >= 6) polygons, comma- or
whitespace-separated, mixed freely; a polygon becomes its axis-aligned bounding rectangle (pytracking's
VOTDataset does the same; `run_vot` under the toolkit converts the initial polygon with
`params.vot_anno_conversion_type` instead). A line with one value (a VOT special code) or NaNs becomes a NaN row.
Segmentation-mask ground truth (VOT2020+, lines starting with 'm') is not supported: ATOM tracks boxes.
"""
import os

import numpy as np

from pytracking.evaluation._common import require_dataset_root
from pytracking.evaluation.data import BaseDataset, Sequence, SequenceList

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


def read_vot_groundtruth(path):
    """groundtruth.txt -> [N, 4] float64 x,y,w,h (see the module docstring)."""
    rows = []
    with open(path) as f:
        for line_no, line in enumerate(f, start=1):
            line = line.strip()
            if not line:
                continue
            if line[0] in 'mM':
                raise ValueError('{}:{}: segmentation-mask ground truth (VOT2020+) is not supported; ATOM needs '
                                 'rectangles or polygons'.format(path, line_no))
            try:
                values = [float(v) for v in line.replace(',', ' ').split()]
            except ValueError:
                raise ValueError('{}:{}: cannot parse {!r}'.format(path, line_no, line)) from None
            if len(values) == 4:
                rows.append(values)
            elif len(values) >= 6 and len(values) % 2 == 0:
                rows.append(polygons_to_rects(np.array([values]))[0].tolist())
            elif len(values) == 1:   # special region code (e.g. 0 = unknown): no box in this frame
                rows.append([np.nan] * 4)
            else:
                raise ValueError('{}:{}: expected 4 (rectangle) or an even number >= 6 (polygon) of values, got {}'
                                 .format(path, line_no, len(values)))
    return np.array(rows, dtype=np.float64).reshape(-1, 4)


def read_vot_sequence_file(seq_dir):
    """The optional `{seq}/sequence` metadata (key=value lines) as a dict; {} when absent."""
    path = os.path.join(seq_dir, 'sequence')
    meta = {}
    if os.path.isfile(path):
        with open(path) as f:
            for line in f:
                if '=' in line:
                    key, value = line.split('=', 1)
                    meta[key.strip()] = value.strip()
    return meta


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
        ground_truth_rect = read_vot_groundtruth(os.path.join(seq_dir, 'groundtruth.txt'))
        meta = read_vot_sequence_file(seq_dir)
        pattern = meta.get('channels.color')
        if pattern is None:
            pattern = 'color/%08d.jpg' if os.path.isdir(os.path.join(seq_dir, 'color')) else '%08d.jpg'
        frames = [os.path.join(seq_dir, pattern % n) for n in range(1, ground_truth_rect.shape[0] + 1)]
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
