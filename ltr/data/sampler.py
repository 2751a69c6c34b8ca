"""Samplers: torch Datasets that draw (train frames, test frames) pairs from video/image datasets.

Random choices use Python's ``random`` module (dataset, sequence, frame ids), as pytracking does; the
``index`` passed to ``__getitem__`` is ignored, every call draws a fresh sample.
"""
import logging
import random

import torch
import torch.utils.data

from ltr.dataset.annotation_io import AnnotationError
from pytracking.libs import TensorDict

# A sequence is re-drawn until it has enough visible frames; give up (clear error) after this many tries
# instead of looping forever on a dataset where no sequence qualifies.
_MAX_SEQUENCE_TRIES = 10000
# Bad data (a corrupt or missing frame, a malformed annotation file, a broken COCO entry): the sequence is reported
# once (a logged warning naming the file), skipped from then on, and another sample is drawn -- one bad file must
# not end a week-long training. Errors that are not about one sequence (a wrong dataset path, a bug) fail every
# sample: after this many failed samples in a row the sampler raises the last error.
_MAX_BAD_SAMPLES_IN_A_ROW = 20
_DATA_ERRORS = (OSError, AnnotationError, KeyError, IndexError)

logger = logging.getLogger(__name__)


class BadDataError(RuntimeError):
    """Too many samples in a row could not be loaded (the data, not one sequence, is broken)."""


def no_processing(data):
    return data


class TrackingSampler(torch.utils.data.Dataset):
    """Sample train and test frames from the sequences of one or more datasets.

    1. Pick a dataset with probabilities ``p_datasets`` (``None``: proportional to ``len(dataset)``).
    2. Pick sequences at random until one has more than ``2*(num_train_frames+num_test_frames)`` visible
       frames and at least 20 frames (image datasets always qualify; they are 1-frame videos).
    3. Pick visible frame ids:
       - 'interval': a base frame anywhere; the other train frames and the test frames within
         ``max_gap`` of it (test frames may precede or equal the train frame).
       - 'causal': the train frames at or before a base frame, the test frames strictly after the first train
         frame and within ``max_gap``.
       When no visible frame lies in range, the gap grows by 5 and the draw is repeated.
    4. Load the frames, build a TensorDict (``train_images``, ``train_anno``, ``test_images``, ``test_anno``,
       ``dataset``, ``test_class``) and return ``processing(data)``.
    A sequence whose annotation or frames cannot be read (OSError, e.g. ImageLoadError; AnnotationError; a
    KeyError/IndexError from a broken COCO entry) is reported with one logged warning naming the file (once per
    worker process), skipped from then on, and another sample is drawn; BadDataError after
    ``_MAX_BAD_SAMPLES_IN_A_ROW`` failed samples in a row. Image datasets only give visible (w, h > 0) objects
    (pytracking returns zero-size COCO boxes too).
    """

    def __init__(self, datasets, p_datasets, samples_per_epoch, max_gap, num_test_frames, num_train_frames=1,
                 processing=no_processing, frame_sample_mode='causal'):
        if len(datasets) == 0:
            raise ValueError('{}: datasets is empty'.format(type(self).__name__))
        if frame_sample_mode not in ('causal', 'interval'):
            raise ValueError("{}(frame_sample_mode): expected 'causal' or 'interval', got {!r}".format(
                type(self).__name__, frame_sample_mode))
        self.datasets = datasets

        # With no probabilities given, sample datasets in proportion to their size.
        if p_datasets is None:
            p_datasets = [len(d) for d in self.datasets]
        if len(p_datasets) != len(datasets):
            raise ValueError('{}: {} datasets but {} p_datasets'.format(type(self).__name__, len(datasets),
                                                                          len(p_datasets)))
        p_total = sum(p_datasets)
        if p_total <= 0 or any(p < 0 for p in p_datasets):
            raise ValueError('{}(p_datasets): weights must be >= 0 with a positive sum, got {}'.format(
                type(self).__name__, p_datasets))
        self.p_datasets = [x / p_total for x in p_datasets]

        self.samples_per_epoch = samples_per_epoch
        self.max_gap = max_gap
        self.num_test_frames = num_test_frames
        self.num_train_frames = num_train_frames
        self.processing = processing
        self.frame_sample_mode = frame_sample_mode

    def __len__(self):
        return self.samples_per_epoch

    def _sample_visible_ids(self, visible, num_ids=1, min_id=None, max_id=None):
        """``num_ids`` visible frame ids in ``[min_id, max_id)``, drawn with replacement; None if none visible."""
        if num_ids == 0:
            return []
        if min_id is None or min_id < 0:
            min_id = 0
        if max_id is None or max_id > len(visible):
            max_id = len(visible)

        valid_ids = [i for i in range(min_id, max_id) if visible[i]]
        if len(valid_ids) == 0:
            return None
        return random.choices(valid_ids, k=num_ids)

    def _bad_sequences(self, dataset):
        bad = self.__dict__.setdefault('_bad', {})
        return bad.setdefault(id(dataset), set())

    def _skip_bad_sequence(self, dataset, seq_id, error):
        """Report a sequence that cannot be read (once), remember it and count the failure."""
        bad = self._bad_sequences(dataset)
        if seq_id not in bad:
            bad.add(seq_id)
            self._last_error = error
            logger.warning('%s: skipping sequence %d of dataset %r: %s: %s', type(self).__name__, seq_id,
                           dataset.get_name(), type(error).__name__, error)
        self._failures_in_a_row = getattr(self, '_failures_in_a_row', 0) + 1
        if self._failures_in_a_row >= _MAX_BAD_SAMPLES_IN_A_ROW:
            self._failures_in_a_row = 0
            raise BadDataError('{}: {} samples in a row could not be loaded ({} broken sequences of dataset {!r} so '
                               'far); the last error: {}: {}'.format(type(self).__name__, _MAX_BAD_SAMPLES_IN_A_ROW,
                                                                     len(bad), dataset.get_name(),
                                                                     type(error).__name__, error)) from error

    def _sample_sequence(self, dataset, is_video_dataset):
        bad = self._bad_sequences(dataset)
        for _ in range(_MAX_SEQUENCE_TRIES):
            seq_id = random.randint(0, dataset.get_num_sequences() - 1)
            if seq_id in bad:
                if len(bad) >= dataset.get_num_sequences():
                    error = getattr(self, '_last_error', None)
                    raise BadDataError('{}: none of the {} sequences of dataset {!r} can be read; the last error: '
                                       '{}: {}'.format(type(self).__name__, len(bad), dataset.get_name(),
                                                       type(error).__name__, error)) from error
                continue
            try:
                seq_info_dict = dataset.get_sequence_info(seq_id)
            except _DATA_ERRORS as e:
                self._skip_bad_sequence(dataset, seq_id, e)
                continue
            visible = seq_info_dict['visible']
            enough_visible_frames = visible.type(torch.int64).sum().item() > 2 * (
                self.num_test_frames + self.num_train_frames) and len(visible) >= 20
            if enough_visible_frames or (not is_video_dataset and bool(visible.any())):
                return seq_id, seq_info_dict, visible
        raise RuntimeError('{}: no sequence of dataset {!r} with >= 20 frames and more than {} visible frames '
                           'found in {} tries{}'.format(type(self).__name__, dataset.get_name(),
                                                        2 * (self.num_test_frames + self.num_train_frames),
                                                        _MAX_SEQUENCE_TRIES,
                                                        ' ({} sequences could not be read)'.format(len(bad))
                                                        if bad else ''))

    def _sample_frame_ids_interval(self, visible):
        train_frame_ids = test_frame_ids = None
        gap_increase = 0
        while test_frame_ids is None:
            base_frame_id = self._sample_visible_ids(visible, num_ids=1)
            extra_train_frame_ids = self._sample_visible_ids(
                visible, num_ids=self.num_train_frames - 1,
                min_id=base_frame_id[0] - self.max_gap - gap_increase,
                max_id=base_frame_id[0] + self.max_gap + gap_increase)
            if extra_train_frame_ids is None:
                gap_increase += 5
                continue
            train_frame_ids = base_frame_id + extra_train_frame_ids
            test_frame_ids = self._sample_visible_ids(
                visible, num_ids=self.num_test_frames,
                min_id=train_frame_ids[0] - self.max_gap - gap_increase,
                max_id=train_frame_ids[0] + self.max_gap + gap_increase)
            gap_increase += 5
        return train_frame_ids, test_frame_ids

    def _sample_frame_ids_causal(self, visible):
        train_frame_ids = test_frame_ids = None
        gap_increase = 0
        while test_frame_ids is None:
            base_frame_id = self._sample_visible_ids(visible, num_ids=1, min_id=self.num_train_frames - 1,
                                                     max_id=len(visible) - self.num_test_frames)
            if base_frame_id is None:
                # pytracking would crash on None[0]; no visible frame can be a base frame in this sequence.
                return None, None
            prev_frame_ids = self._sample_visible_ids(visible, num_ids=self.num_train_frames - 1,
                                                      min_id=base_frame_id[0] - self.max_gap - gap_increase,
                                                      max_id=base_frame_id[0])
            if prev_frame_ids is None:
                gap_increase += 5
                continue
            train_frame_ids = base_frame_id + prev_frame_ids
            test_frame_ids = self._sample_visible_ids(visible, min_id=train_frame_ids[0] + 1,
                                                      max_id=train_frame_ids[0] + self.max_gap + gap_increase,
                                                      num_ids=self.num_test_frames)
            gap_increase += 5
        return train_frame_ids, test_frame_ids

    def __getitem__(self, index):
        """A processed sample (the index is ignored)."""
        dataset = random.choices(self.datasets, self.p_datasets)[0]
        is_video_dataset = dataset.is_video_sequence()

        while True:
            train_frame_ids = test_frame_ids = None
            while train_frame_ids is None:
                seq_id, seq_info_dict, visible = self._sample_sequence(dataset, is_video_dataset)
                if is_video_dataset:
                    if self.frame_sample_mode == 'interval':
                        train_frame_ids, test_frame_ids = self._sample_frame_ids_interval(visible)
                    else:
                        train_frame_ids, test_frame_ids = self._sample_frame_ids_causal(visible)
                else:
                    # An image dataset is a 1-frame video: every train/test frame is that image.
                    train_frame_ids = [1] * self.num_train_frames
                    test_frame_ids = [1] * self.num_test_frames

            try:
                train_frames, train_anno, meta_obj_train = dataset.get_frames(seq_id, train_frame_ids,
                                                                              seq_info_dict)
                test_frames, test_anno, meta_obj_test = dataset.get_frames(seq_id, test_frame_ids, seq_info_dict)
            except _DATA_ERRORS as e:
                self._skip_bad_sequence(dataset, seq_id, e)
                continue
            self._failures_in_a_row = 0
            break

        data = TensorDict({'train_images': train_frames,
                           'train_anno': train_anno['bbox'],
                           'test_images': test_frames,
                           'test_anno': test_anno['bbox'],
                           'dataset': dataset.get_name(),
                           'test_class': meta_obj_test.get('object_class_name') if meta_obj_test else None})
        return self.processing(data)


class ATOMSampler(TrackingSampler):
    """TrackingSampler with ATOM's defaults: 1 train and 1 test frame, 'interval' frame sampling."""

    def __init__(self, datasets, p_datasets, samples_per_epoch, max_gap, num_test_frames=1, num_train_frames=1,
                 processing=no_processing, frame_sample_mode='interval'):
        super().__init__(datasets=datasets, p_datasets=p_datasets, samples_per_epoch=samples_per_epoch,
                         max_gap=max_gap, num_test_frames=num_test_frames, num_train_frames=num_train_frames,
                         processing=processing, frame_sample_mode=frame_sample_mode)


# Kept for pytracking API compatibility; not on ATOM's path.
class DiMPSampler(TrackingSampler):
    """TrackingSampler with DiMP's defaults ('causal' frame sampling)."""

    def __init__(self, datasets, p_datasets, samples_per_epoch, max_gap, num_test_frames, num_train_frames=1,
                 processing=no_processing, frame_sample_mode='causal'):
        super().__init__(datasets=datasets, p_datasets=p_datasets, samples_per_epoch=samples_per_epoch,
                         max_gap=max_gap, num_test_frames=num_test_frames, num_train_frames=num_train_frames,
                         processing=processing, frame_sample_mode=frame_sample_mode)


# Kept for pytracking API compatibility; not on ATOM's path.
class LWLSampler(torch.utils.data.Dataset):
    """Sampler for video object segmentation (LWL); not used by ATOM.

    Like TrackingSampler's 'causal' mode, but the frames are returned sorted in time (reversed time with
    probability ``p_reverse``), loaded in one ``get_frames`` call, and masks are passed on when the dataset has
    them (``train_masks``/``test_masks``, None otherwise).
    """

    def __init__(self, datasets, p_datasets, samples_per_epoch, max_gap, num_test_frames, num_train_frames=1,
                 processing=no_processing, p_reverse=None):
        self._base = TrackingSampler(datasets, p_datasets, samples_per_epoch, max_gap, num_test_frames,
                                     num_train_frames, processing, frame_sample_mode='causal')
        self.datasets = self._base.datasets
        self.p_datasets = self._base.p_datasets
        self.samples_per_epoch = samples_per_epoch
        self.max_gap = max_gap
        self.num_test_frames = num_test_frames
        self.num_train_frames = num_train_frames
        self.processing = processing
        self.p_reverse = p_reverse

    def __len__(self):
        return self.samples_per_epoch

    def _sample_reversed(self, visible):
        """Train frames late in the sequence, test frames before them (the reverse of 'causal')."""
        sample = self._base._sample_visible_ids
        train_frame_ids = test_frame_ids = None
        gap_increase = 0
        while test_frame_ids is None:
            base_frame_id = sample(visible, num_ids=1, min_id=self.num_test_frames,
                                   max_id=len(visible) - self.num_train_frames + 1)
            if base_frame_id is None:
                return None, None
            next_frame_ids = sample(visible, num_ids=self.num_train_frames - 1, min_id=base_frame_id[0] + 1,
                                    max_id=base_frame_id[0] + 1 + self.max_gap + gap_increase)
            if next_frame_ids is None:
                gap_increase += 5
                continue
            train_frame_ids = base_frame_id + next_frame_ids
            test_frame_ids = sample(visible, num_ids=self.num_test_frames,
                                    min_id=train_frame_ids[0] - self.max_gap - gap_increase,
                                    max_id=train_frame_ids[0])
            gap_increase += 5
        return train_frame_ids, test_frame_ids

    def __getitem__(self, index):
        dataset = random.choices(self.datasets, self.p_datasets)[0]
        is_video_dataset = dataset.is_video_sequence()
        reverse_sequence = self.p_reverse is not None and random.random() < self.p_reverse

        train_frame_ids = test_frame_ids = None
        while train_frame_ids is None:
            seq_id, seq_info_dict, visible = self._base._sample_sequence(dataset, is_video_dataset)
            if not is_video_dataset:
                train_frame_ids = [1] * self.num_train_frames
                test_frame_ids = [1] * self.num_test_frames
            elif reverse_sequence:
                train_frame_ids, test_frame_ids = self._sample_reversed(visible)
            else:
                train_frame_ids, test_frame_ids = self._base._sample_frame_ids_causal(visible)

        train_frame_ids = sorted(train_frame_ids, reverse=reverse_sequence)
        test_frame_ids = sorted(test_frame_ids, reverse=reverse_sequence)
        all_frame_ids = train_frame_ids + test_frame_ids

        all_frames, all_anno, meta_obj = dataset.get_frames(seq_id, all_frame_ids, seq_info_dict)
        n_train = len(train_frame_ids)
        train_anno = {k: v[:n_train] for k, v in all_anno.items()}
        test_anno = {k: v[n_train:] for k, v in all_anno.items()}

        data = TensorDict({'train_images': all_frames[:n_train],
                           'train_masks': train_anno.get('mask'),
                           'train_anno': train_anno['bbox'],
                           'test_images': all_frames[n_train:],
                           'test_masks': test_anno.get('mask'),
                           'test_anno': test_anno['bbox'],
                           'dataset': dataset.get_name()})
        return self.processing(data)
