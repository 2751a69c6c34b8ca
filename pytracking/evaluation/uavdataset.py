"""UAV123 benchmark.

Layout: `{uav_path}/data_seq/UAV123/{seq}/{frame:06d}.jpg` and `{uav_path}/anno/UAV123/{name}.txt`
(comma-separated, NaN rows where the target is absent). Sub-sequences such as `uav_bird1_2` are frame ranges of
one folder. The 123 entries are in `sequence_info/uav.json`.
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


class UAVDataset(BaseDataset):
    def __init__(self, attribute=None):
        super().__init__()
        self.base_path = self.env_settings.uav_path
        self.sequence_info_list = self._get_sequence_info_list()
        self.att_dict = None
        if attribute is not None:
            self.att_dict = load_attribute_spec('uav')
            self.sequence_info_list = filter_by_attribute(self.sequence_info_list, self.att_dict, attribute)

    def get_sequence_list(self):
        require_dataset_root(self.env_settings, 'uav_path')
        return SequenceList([self._construct_sequence(s) for s in self.sequence_info_list])

    def _construct_sequence(self, sequence_info):
        return sequence_from_info(self.base_path, sequence_info, 'uav', delimiter=',')

    def get_attribute_names(self, mode='short'):
        if self.att_dict is None:
            self.att_dict = load_attribute_spec('uav')
        return attribute_names(self.att_dict, mode)

    def __len__(self):
        return len(self.sequence_info_list)

    def _get_sequence_info_list(self):
        return load_sequence_info('uav')
