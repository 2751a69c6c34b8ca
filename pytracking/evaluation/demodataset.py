"""The embedded demo sequences (written by `python -m ltr.dataset.demo_data --out data/demo`), in OTB layout.

Two parts, two dataset names:
- `demo` (`DemoDataset()`, subset 'otb'): the synthetic sequences, real photo patches moving over real photos;
  `{demo_path}/otb`.
- `demo_real` (`DemoDataset(subset='real')`): real footage, objects of real photographs filmed by a virtual
  hand-held camera (`ltr.dataset.demo_camera`); `{demo_path}/otb_real`.

Layout of each: `<Seq>/img/0001.jpg`, `<Seq>/groundtruth_rect.txt` and `sequences.json` listing
name/path/startFrame/endFrame/nz/ext/anno_path like the OTB sequence list. If `sequences.json` is missing the
folders holding `groundtruth_rect.txt` are used. Scored with OTB's conventions.
"""
import json
import os

from pytracking.evaluation._common import sequence_from_info
from pytracking.evaluation.data import BaseDataset, SequenceList
from pytracking.utils.load_text import load_text

_SUBSETS = {'otb': ('otb', 'demo'), 'real': ('otb_real', 'demo_real')}  # subset: (folder, dataset name)


class DemoDataset(BaseDataset):
    def __init__(self, subset='otb'):
        super().__init__()
        if subset not in _SUBSETS:
            raise ValueError('DemoDataset: unknown subset {!r} (known: {})'.format(subset, sorted(_SUBSETS)))
        self.subset = subset
        folder, self.name = _SUBSETS[subset]
        self.base_path = os.path.join(self.env_settings.demo_path, folder)
        self._info = None

    def _missing_message(self):
        return ('Demo data not found at {} (demo_path = {!r}). Generate it with '
                '`python -m ltr.dataset.demo_data --out data/demo` or set PYTRACKING_DEMO_PATH.'
                .format(self.base_path, self.env_settings.demo_path))

    def sequence_info_list(self):
        if self._info is None:
            if not os.path.isdir(self.base_path):
                raise FileNotFoundError(self._missing_message())
            list_file = os.path.join(self.base_path, 'sequences.json')
            if os.path.isfile(list_file):
                with open(list_file) as f:
                    self._info = json.load(f)
            else:
                self._info = [self._scan_info(d) for d in sorted(os.listdir(self.base_path))
                              if os.path.isfile(os.path.join(self.base_path, d, 'groundtruth_rect.txt'))]
            if not self._info:
                raise FileNotFoundError(self._missing_message())
        return self._info

    def _scan_info(self, name):
        img_dir = os.path.join(self.base_path, name, 'img')
        files = sorted(f for f in os.listdir(img_dir) if f.endswith('.jpg'))
        n = load_text(os.path.join(self.base_path, name, 'groundtruth_rect.txt'), delimiter=(',', None)).shape[0]
        return {'name': name, 'path': name + '/img', 'startFrame': int(files[0][:-4]),
                'endFrame': int(files[0][:-4]) + n - 1, 'nz': len(files[0]) - 4, 'ext': 'jpg',
                'anno_path': name + '/groundtruth_rect.txt'}

    def get_sequence_list(self):
        return SequenceList([sequence_from_info(self.base_path, s, self.name, delimiter=(',', None))
                             for s in self.sequence_info_list()])

    def __len__(self):
        return len(self.sequence_info_list())
