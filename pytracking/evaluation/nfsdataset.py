"""Need for Speed (NFS, 30 fps version) benchmark, in pytracking's pre-converted layout.

Layout: `{nfs_path}/sequences/{name}/{frame:05d}.jpg` and `{nfs_path}/anno/nfs_{name}.txt` (tab-separated
x y w h). The 100 entries are in `sequence_info/nfs.json`.
"""
from pytracking.evaluation._common import require_dataset_root, sequence_from_info
from pytracking.evaluation.data import BaseDataset, SequenceList
from pytracking.evaluation.sequence_info import load_sequence_info


class NFSDataset(BaseDataset):
    def __init__(self):
        super().__init__()
        self.base_path = self.env_settings.nfs_path
        self.sequence_info_list = self._get_sequence_info_list()

    def get_sequence_list(self):
        require_dataset_root(self.env_settings, 'nfs_path')
        return SequenceList([self._construct_sequence(s) for s in self.sequence_info_list])

    def _construct_sequence(self, sequence_info):
        return sequence_from_info(self.base_path, sequence_info, 'nfs', delimiter='\t')

    def __len__(self):
        return len(self.sequence_info_list)

    def _get_sequence_info_list(self):
        return load_sequence_info('nfs')
