"""OTB-100 (OTB-2015) benchmark.

Layout: `{otb_path}/{Seq}/img/{frame:04d}.jpg` (Board: 5 digits, KiteSurf: `jpg/*.png`) and
`{Seq}/groundtruth_rect.txt`. The 100 entries with their irregular frame ranges (e.g. BlurCar1 starts at 247,
Tiger1 omits its first 5 frames) live in `sequence_info/otb.json`. Ground-truth files use ',' or whitespace.
"""
from pytracking.evaluation._common import (
    attribute_names,
    filter_by_attribute,
    load_attribute_spec,
    require_dataset_root,
    sequence_from_info,
)
from pytracking.evaluation.data import BaseDataset, SequenceList
from pytracking.evaluation.sequence_info import load_sequence_info


class OTBDataset(BaseDataset):
    """OTB-2015 dataset. `attribute` (e.g. 'OCC') keeps only sequences with that attribute."""

    def __init__(self, attribute=None):
        super().__init__()
        self.base_path = self.env_settings.otb_path
        self.sequence_info_list = self._get_sequence_info_list()
        self.att_dict = None
        if attribute is not None:
            self.att_dict = load_attribute_spec('otb')
            self.sequence_info_list = filter_by_attribute(self.sequence_info_list, self.att_dict, attribute)

    def get_sequence_list(self):
        require_dataset_root(self.env_settings, 'otb_path')
        return SequenceList([self._construct_sequence(s) for s in self.sequence_info_list])

    def _construct_sequence(self, sequence_info):
        # ',' first, then any whitespace (some OTB files are tab or space separated).
        return sequence_from_info(self.base_path, sequence_info, 'otb', delimiter=(',', None))

    def get_attribute_names(self, mode='short'):
        if self.att_dict is None:
            self.att_dict = load_attribute_spec('otb')
        return attribute_names(self.att_dict, mode)

    def __len__(self):
        return len(self.sequence_info_list)

    def _get_sequence_info_list(self):
        return load_sequence_info('otb')
