"""LaSOT (pytracking's `Lasot`)."""
import os
import random
import warnings

from ltr.data.image_loader import jpeg4py_loader
from ltr.dataset.annotation_io import read_box_file, read_flag_line, read_name_list, resolve_root
from ltr.dataset.base_video_dataset import BaseVideoDataset, annotations_of_frames, empty_object_meta

_DATA_SPECS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'data_specs')


class Lasot(BaseVideoDataset):
    """LaSOT (Fan et al., CVPR 2019).

    Layout: `root/<class>/<class>-<id>/` with `groundtruth.txt` (x,y,w,h per line), `full_occlusion.txt` and
    `out_of_view.txt` (a single line of comma-separated 0/1), and `img/00000001.jpg, ...`.
    `visible = not full_occlusion and not out_of_view and w > 0 and h > 0`. The class is the parent folder.

    Give exactly one of `split` ('train': ltr/data_specs/lasot_train_split.txt) and `vid_ids` (every class with
    these video numbers). Differences from pytracking (which crash later otherwise): sequences of the split that
    are not on disk (a partial download, the embedded demo data) are dropped with one warning; only folders count
    as classes and they are sorted (pytracking takes os.listdir order); malformed files raise errors naming the file.
    """

    def __init__(self, root=None, image_loader=jpeg4py_loader, vid_ids=None, split=None, data_fraction=None):
        """
        args:
            root - path to the LaSOT dataset (default: env_settings().lasot_dir)
            image_loader - function reading a frame (default: jpeg4py_loader)
            vid_ids - video numbers to use in every class, e.g. [1, 3, 5]
            split - 'train' (the ltr training split); not together with vid_ids
            data_fraction - keep a random fraction of the sequences (Python `random`)
        """
        root = resolve_root(root, 'lasot_dir', 'LaSOT')
        super().__init__('LaSOT', root, image_loader)

        self.class_list = sorted(f for f in os.listdir(self.root) if os.path.isdir(os.path.join(self.root, f)))
        self.class_to_id = {cls_name: cls_id for cls_id, cls_name in enumerate(self.class_list)}

        self.sequence_list = self._build_sequence_list(vid_ids, split)

        if data_fraction is not None:
            self.sequence_list = random.sample(self.sequence_list, int(len(self.sequence_list) * data_fraction))

        self.seq_per_class = self._build_class_list()

    def _build_sequence_list(self, vid_ids=None, split=None):
        if split is not None:
            if vid_ids is not None:
                raise ValueError('Cannot set both split_name and vid_ids.')
            if split == 'train':
                file_path = os.path.join(_DATA_SPECS, 'lasot_train_split.txt')
            else:
                raise ValueError('Unknown split name {!r} (known: train)'.format(split))
            sequence_list = read_name_list(file_path, 'LaSOT split')
            source = 'split {!r}'.format(split)
        elif vid_ids is not None:
            sequence_list = [c + '-' + str(v) for c in self.class_list for v in vid_ids]
            source = 'vid_ids {}'.format(list(vid_ids))
        else:
            raise ValueError('Set either split_name or vid_ids.')

        present = [s for s in sequence_list if os.path.isdir(self._path_of(s))]
        if len(present) < len(sequence_list):
            if not present:
                raise FileNotFoundError('LaSOT {}: none of its {} sequences exists under {} (expected e.g. {})'
                                        .format(source, len(sequence_list), self.root,
                                                self._path_of(sequence_list[0]) if sequence_list else '?'))
            warnings.warn('LaSOT {}: {} of {} sequences are missing under {}; using the {} present'.format(
                source, len(sequence_list) - len(present), len(sequence_list), self.root, len(present)),
                RuntimeWarning, stacklevel=3)
        return present

    def _build_class_list(self):
        seq_per_class = {}
        for seq_id, seq_name in enumerate(self.sequence_list):
            class_name = seq_name.split('-')[0]
            seq_per_class.setdefault(class_name, []).append(seq_id)
        return seq_per_class

    def get_name(self):
        return 'lasot'

    def has_class_info(self):
        return True

    def has_occlusion_info(self):
        return True

    def get_num_sequences(self):
        return len(self.sequence_list)

    def get_num_classes(self):
        return len(self.class_list)

    def get_sequences_in_class(self, class_name):
        return self.seq_per_class[class_name]

    def _read_bb_anno(self, seq_path):
        return read_box_file(os.path.join(seq_path, 'groundtruth.txt'))

    def _read_target_visible(self, seq_path, num_frames=None):
        occlusion = read_flag_line(os.path.join(seq_path, 'full_occlusion.txt'), num_frames)
        out_of_view = read_flag_line(os.path.join(seq_path, 'out_of_view.txt'), num_frames)
        return (occlusion == 0) & (out_of_view == 0)

    def _path_of(self, seq_name):
        class_name, vid_id = seq_name.rsplit('-', 1)
        return os.path.join(self.root, class_name, class_name + '-' + vid_id)

    def _get_sequence_path(self, seq_id):
        return self._path_of(self.sequence_list[seq_id])

    def get_sequence_info(self, seq_id):
        seq_path = self._get_sequence_path(seq_id)
        bbox = self._read_bb_anno(seq_path)
        valid = (bbox[:, 2] > 0) & (bbox[:, 3] > 0)
        visible = self._read_target_visible(seq_path, num_frames=bbox.shape[0]) & valid
        return {'bbox': bbox, 'valid': valid, 'visible': visible}

    def _get_frame_path(self, seq_path, frame_id):
        return os.path.join(seq_path, 'img', '{:08}.jpg'.format(frame_id + 1))  # frames start from 1

    def _get_frame(self, seq_path, frame_id):
        return self.image_loader(self._get_frame_path(seq_path, frame_id))

    def _get_class(self, seq_path):
        return os.path.basename(os.path.dirname(os.path.normpath(seq_path)))

    def get_class_name(self, seq_id):
        return self._get_class(self._get_sequence_path(seq_id))

    def get_frames(self, seq_id, frame_ids, anno=None):
        seq_path = self._get_sequence_path(seq_id)
        obj_class = self._get_class(seq_path)
        frame_list = [self._get_frame(seq_path, f_id) for f_id in frame_ids]
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        anno_frames = annotations_of_frames(anno, frame_ids)
        return frame_list, anno_frames, empty_object_meta(obj_class)
