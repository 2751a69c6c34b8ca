"""Base class of the video datasets (pytracking's `BaseVideoDataset`)."""
import torch.utils.data

from ltr.data.image_loader import jpeg4py_loader


class BaseVideoDataset(torch.utils.data.Dataset):
    """A video dataset: sequences of frames with one target box per frame.

    Subclasses fill `sequence_list` (and `class_list`) and implement `get_name`, `get_sequence_info` and
    `get_frames`. `__getitem__` returns None: samples are drawn through `ltr.data.sampler`, never by index."""

    def __init__(self, name, root, image_loader=jpeg4py_loader):
        """
        args:
            name - dataset name ('LaSOT', 'GOT10k', ...)
            root - root folder of the dataset
            image_loader - function reading an image path into an RGB uint8 HxWx3 array
        """
        self.name = name
        self.root = root
        self.image_loader = image_loader
        self.sequence_list = []  # filled by subclasses
        self.class_list = []

    def __len__(self):
        """Number of sequences (pytracking: `get_num_sequences`)."""
        return self.get_num_sequences()

    def __getitem__(self, index):
        """Not used: samples come from the sampler (as in pytracking)."""
        return None

    def is_video_sequence(self):
        """True for video datasets; image datasets such as COCO return False."""
        return True

    def is_synthetic_video_dataset(self):
        """True if the 'videos' are generated from still images."""
        return False

    def is_mot_dataset(self):
        return False

    def get_name(self):
        raise NotImplementedError

    def get_num_sequences(self):
        return len(self.sequence_list)

    def has_class_info(self):
        return False

    def has_occlusion_info(self):
        return False

    def get_num_classes(self):
        return len(self.class_list)

    def get_class_list(self):
        return self.class_list

    def get_sequences_in_class(self, class_name):
        raise NotImplementedError

    def has_segmentation_info(self):
        return False

    def get_sequence_info(self, seq_id):
        """Dict with at least 'bbox' (Nx4 float32 x,y,w,h), 'valid' and 'visible' (N bool tensors)."""
        raise NotImplementedError

    def get_frames(self, seq_id, frame_ids, anno=None):
        """Returns (frame_list, anno_frames, object_meta): the frames (RGB uint8 HxWx3), a dict with the
        per-frame value of every key of `anno` (default: `get_sequence_info(seq_id)`), and a dict with the keys
        object_class_name, motion_class, major_class, root_class, motion_adverb."""
        raise NotImplementedError


def annotations_of_frames(anno, frame_ids):
    """{key: [value[f] for f in frame_ids]} (clones, so callers may modify them), checking the frame ids."""
    out = {}
    for key, value in anno.items():
        n = len(value)
        for f in frame_ids:
            if not 0 <= f < n:
                raise IndexError('frame id {} out of range for annotation {!r} of length {}'.format(f, key, n))
        out[key] = [value[f, ...].clone() for f in frame_ids]
    return out


def empty_object_meta(object_class_name=None):
    from collections import OrderedDict
    return OrderedDict({'object_class_name': object_class_name, 'motion_class': None, 'major_class': None,
                        'root_class': None, 'motion_adverb': None})
