"""Tiny in-memory datasets with the BaseVideoDataset / BaseImageDataset interface, for sampler tests.

Every frame is a small image whose pixel value is the frame id (mod 256) and whose box encodes the frame id,
so a test can tell which frames the sampler picked without trusting the sampler.
"""
import numpy as np
import pytest
import torch


class FakeVideoDataset:
    """Sequences of lengths ``lengths``; ``hidden[seq]`` lists invisible frame ids."""

    def __init__(self, name, lengths, hidden=None, image_size=(64, 80), textured=False, painted=False):
        self.name = name
        self.lengths = lengths
        self.hidden = hidden or {}
        self.image_size = image_size
        self.textured = textured
        self.painted = painted  # black frames with the target box painted white
        self.calls = []  # (seq_id, frame_ids) of every get_frames call

    def is_video_sequence(self):
        return True

    def get_name(self):
        return self.name

    def get_num_sequences(self):
        return len(self.lengths)

    def __len__(self):
        return self.get_num_sequences()

    def _box(self, seq_id, frame_id):
        # a target that drifts a little with the frame id; x encodes the frame id exactly
        if self.painted:  # integer boxes well inside the frame
            return torch.tensor([70.0 + frame_id % 7, 60.0 + seq_id, 24.0 + (frame_id % 5), 16.0])
        return torch.tensor([10.0 + frame_id, 12.0 + 0.5 * seq_id, 16.0 + (frame_id % 5), 14.0])

    def get_sequence_info(self, seq_id):
        n = self.lengths[seq_id]
        bbox = torch.stack([self._box(seq_id, f) for f in range(n)])
        visible = torch.ones(n, dtype=torch.bool)
        for f in self.hidden.get(seq_id, []):
            visible[f] = False
        return {'bbox': bbox, 'valid': visible.clone(), 'visible': visible}

    def _frame(self, seq_id, frame_id):
        h, w = self.image_size
        if self.painted:
            x, y, bw, bh = [int(v) for v in self._box(seq_id, frame_id).tolist()]
            im = np.zeros((h, w, 3), dtype=np.uint8)
            im[y:y + bh, x:x + bw] = 255  # box [x, y, w, h] covers pixels x .. x+w-1
            return im
        if self.textured:
            rng = np.random.RandomState(1000 * seq_id + frame_id)
            return rng.randint(0, 255, (h, w, 3)).astype(np.uint8)
        return np.full((h, w, 3), frame_id % 256, dtype=np.uint8)

    def get_frames(self, seq_id, frame_ids, anno=None):
        self.calls.append((seq_id, list(frame_ids)))
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        frames = [self._frame(seq_id, f) for f in frame_ids]
        anno_frames = {k: [v[f, ...].clone() for f in frame_ids] for k, v in anno.items()}
        return frames, anno_frames, {'object_class_name': 'thing{}'.format(seq_id)}


class FakeImageDataset(FakeVideoDataset):
    """An image dataset: each 'sequence' is one image (frame ids are ignored)."""

    def __init__(self, name, num_images, image_size=(64, 80), textured=False):
        super().__init__(name, [1] * num_images, image_size=image_size, textured=textured)

    def is_video_sequence(self):
        return False

    def get_frames(self, seq_id, frame_ids, anno=None):
        self.calls.append((seq_id, list(frame_ids)))
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        frame = self._frame(seq_id, 0)
        anno_frames = {k: [v[0, ...].clone() for _ in frame_ids] for k, v in anno.items()}
        return [frame.copy() for _ in frame_ids], anno_frames, {'object_class_name': None}


@pytest.fixture
def fake_video_dataset():
    return FakeVideoDataset


@pytest.fixture
def fake_image_dataset():
    return FakeImageDataset
