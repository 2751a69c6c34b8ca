"""Temple-Color-128 (TPL / TC128) benchmark.

Layout: `{tpl_path}/{Seq}/img/{frame:04d}.jpg`, `{Seq}/{Seq}_gt.txt` (comma x,y,w,h) and optionally
`{Seq}/{Seq}_frames.txt` ("start,end"; otherwise 1..number of GT rows). Sequences are found by scanning
`tpl_path` (pytracking hard-codes the 129 entries) and named `tpl_{Seq}`. `exclude_otb=True` drops sequences
that are also in OTB-100 (same name, case-insensitive, ignoring a `_ce` suffix).
"""
import os

import numpy as np

from pytracking.evaluation._common import frames_in_range, require_dataset_root
from pytracking.evaluation.data import BaseDataset, Sequence, SequenceList
from pytracking.evaluation.sequence_info import load_sequence_info
from pytracking.utils.load_text import load_text


class TPLDataset(BaseDataset):
    def __init__(self, exclude_otb=False):
        super().__init__()
        self.base_path = self.env_settings.tpl_path
        self.exclude_otb = exclude_otb
        self._names = None

    def get_sequence_list(self):
        return SequenceList([self._construct_sequence(s) for s in self._sequence_names()])

    def _sequence_names(self):
        if self._names is None:
            root = require_dataset_root(self.env_settings, 'tpl_path')
            names = sorted(d for d in os.listdir(root)
                           if os.path.isfile(os.path.join(root, d, '{}_gt.txt'.format(d))))
            if self.exclude_otb:
                otb = {s['path'].split('/')[0].lower() for s in load_sequence_info('otb')}
                names = [n for n in names if n.lower().replace('_ce', '') not in otb]
            self._names = names
        return self._names

    def _construct_sequence(self, seq):
        seq_dir = os.path.join(self.base_path, seq)
        ground_truth_rect = load_text(os.path.join(seq_dir, '{}_gt.txt'.format(seq)), delimiter=(',', None),
                                      dtype=np.float64, backend='numpy')
        range_file = os.path.join(seq_dir, '{}_frames.txt'.format(seq))
        if os.path.isfile(range_file):
            start, end = load_text(range_file, delimiter=(',', None), dtype=np.int64).reshape(-1)[:2]
        else:
            start, end = 1, ground_truth_rect.shape[0]
        frames = frames_in_range(self.base_path, seq + '/img', int(start), int(end), 4, 'jpg')
        return Sequence('tpl_' + seq, frames, 'tpl', ground_truth_rect)

    def __len__(self):
        return len(self._sequence_names())
