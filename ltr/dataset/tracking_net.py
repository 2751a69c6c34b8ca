"""TrackingNet (pytracking's `TrackingNet`)."""
import os
import random

from ltr.data.image_loader import jpeg4py_loader
from ltr.dataset.annotation_io import read_box_file, resolve_root
from ltr.dataset.base_video_dataset import BaseVideoDataset, annotations_of_frames, empty_object_meta

_DATA_SPECS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'data_specs')


def list_sequences(root, set_ids):
    """[(set_id, video_name), ...] for every `root/TRAIN_<set_id>/anno/<video_name>.txt`, sorted by name within
    each set (pytracking keeps os.listdir order, which differs between file systems)."""
    sequence_list = []
    for s in set_ids:
        anno_dir = os.path.join(root, 'TRAIN_' + str(s), 'anno')
        if not os.path.isdir(anno_dir):
            raise FileNotFoundError('TrackingNet set {}: folder {} not found; pass set_ids for the TRAIN_<n> folders '
                                    'you have (found: {})'.format(s, anno_dir, sorted(
                                        d for d in os.listdir(root) if d.startswith('TRAIN_'))))
        sequence_list += [(s, os.path.splitext(f)[0]) for f in sorted(os.listdir(anno_dir)) if f.endswith('.txt')]
    return sequence_list


class TrackingNet(BaseVideoDataset):
    """TrackingNet (Müller et al., ECCV 2018).

    Layout: `root/TRAIN_<s>/anno/<video>.txt` (x,y,w,h per line) and `root/TRAIN_<s>/frames/<video>/<i>.jpg` with
    0-based, unpadded frame numbers. No occlusion labels: `visible = valid = w > 0 and h > 0`. Classes come from
    ltr/data_specs/trackingnet_classmap.txt; videos missing there are class 'Unknown' (pytracking issue #156).
    """

    def __init__(self, root=None, image_loader=jpeg4py_loader, set_ids=None, data_fraction=None):
        """
        args:
            root - path to the TrackingNet data (default: env_settings().trackingnet_dir)
            image_loader - function reading a frame (default: jpeg4py_loader)
            set_ids - which TRAIN_<n> sets to use (default: 0..11)
            data_fraction - keep a random fraction of the sequences (Python `random`)
        """
        root = resolve_root(root, 'trackingnet_dir', 'TrackingNet')
        super().__init__('TrackingNet', root, image_loader)

        if set_ids is None:
            set_ids = [i for i in range(12)]
        self.set_ids = set_ids

        # (set_id, video_name) pairs
        self.sequence_list = list_sequences(self.root, self.set_ids)

        if data_fraction is not None:
            self.sequence_list = random.sample(self.sequence_list, int(len(self.sequence_list) * data_fraction))

        self.seq_to_class_map, self.seq_per_class = self._load_class_info()

        # we do not have the class_lists for the tracking net
        self.class_list = list(self.seq_per_class.keys())
        self.class_list.sort()

    def _load_class_info(self):
        class_map_path = os.path.join(_DATA_SPECS, 'trackingnet_classmap.txt')
        seq_to_class_map = {}
        with open(class_map_path, 'r') as f:
            for line in f:
                parts = line.rstrip('\r\n').split('\t')
                if len(parts) == 2:
                    seq_to_class_map[parts[0]] = parts[1]

        seq_per_class = {}
        for i, seq in enumerate(self.sequence_list):
            class_name = seq_to_class_map.get(seq[1], 'Unknown')
            seq_per_class.setdefault(class_name, []).append(i)
        return seq_to_class_map, seq_per_class

    def get_name(self):
        return 'trackingnet'

    def has_class_info(self):
        return True

    def get_sequences_in_class(self, class_name):
        return self.seq_per_class[class_name]

    def _read_bb_anno(self, seq_id):
        set_id, vid_name = self.sequence_list[seq_id]
        return read_box_file(os.path.join(self.root, 'TRAIN_' + str(set_id), 'anno', vid_name + '.txt'))

    def get_sequence_info(self, seq_id):
        bbox = self._read_bb_anno(seq_id)
        valid = (bbox[:, 2] > 0) & (bbox[:, 3] > 0)
        visible = valid.clone()
        return {'bbox': bbox, 'valid': valid, 'visible': visible}

    def _get_frame(self, seq_id, frame_id):
        set_id, vid_name = self.sequence_list[seq_id]
        frame_path = os.path.join(self.root, 'TRAIN_' + str(set_id), 'frames', vid_name, str(frame_id) + '.jpg')
        return self.image_loader(frame_path)

    def _get_class(self, seq_id):
        return self.seq_to_class_map.get(self.sequence_list[seq_id][1], 'Unknown')

    def get_class_name(self, seq_id):
        return self._get_class(seq_id)

    def get_frames(self, seq_id, frame_ids, anno=None):
        frame_list = [self._get_frame(seq_id, f) for f in frame_ids]
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        anno_frames = annotations_of_frames(anno, frame_ids)
        return frame_list, anno_frames, empty_object_meta(self._get_class(seq_id))
