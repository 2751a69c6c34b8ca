"""TrackingSampler / ATOMSampler frame selection, checked against the rules, not against the sampler's output."""
import random

import pytest
import torch

from ltr.data.sampler import ATOMSampler, TrackingSampler


def frame_ids_of(sample):
    """Frame ids recovered from the frames themselves (pixel value = frame id)."""
    return [int(im[0, 0, 0]) for im in sample['train_images']], [int(im[0, 0, 0]) for im in sample['test_images']]


def test_interval_mode_respects_visibility_and_gap(fake_video_dataset):
    hidden = {0: list(range(0, 200, 3))}
    ds = fake_video_dataset('vid', [200], hidden=hidden)
    sampler = ATOMSampler([ds], [1], samples_per_epoch=7, max_gap=10)
    assert len(sampler) == 7
    random.seed(0)
    saw_before = saw_equal = False
    for _ in range(200):
        s = sampler[0]
        (train,), (test,) = frame_ids_of(s)
        assert train % 3 != 0 and test % 3 != 0  # only visible frames
        assert abs(test - train) < 10 + 5  # [t - gap, t + gap) (gap grows only when nothing is visible)
        saw_before |= test < train
        saw_equal |= test == train
        assert torch.equal(s['train_anno'][0], ds._box(0, train))
        assert s['dataset'] == 'vid' and s['test_class'] == 'thing0'
    assert saw_before and saw_equal  # 'interval' mode: test frames may precede or equal the train frame


def test_causal_mode_puts_test_frames_after_train(fake_video_dataset):
    ds = fake_video_dataset('vid', [60])
    sampler = TrackingSampler([ds], None, samples_per_epoch=5, max_gap=8, num_test_frames=2, num_train_frames=2)
    random.seed(1)
    for _ in range(100):
        train, test = frame_ids_of(sampler[0])
        assert len(train) == 2 and len(test) == 2
        base, prev = train
        assert base - 8 <= prev < base
        assert all(base < t < base + 8 for t in test)


def test_gap_grows_when_no_visible_frame_is_near(fake_video_dataset):
    # visible frames only at 0..4 and 95..99: a gap of 1 must grow until the other cluster... or the same one
    hidden = {0: list(range(5, 95))}
    ds = fake_video_dataset('vid', [100], hidden=hidden)
    sampler = TrackingSampler([ds], [1], 10, max_gap=1, num_test_frames=1, frame_sample_mode='causal')
    random.seed(2)
    for _ in range(50):
        (train,), (test,) = frame_ids_of(sampler[0])
        assert test > train and test not in range(5, 95) and train not in range(5, 95)


def test_short_or_mostly_hidden_sequences_are_skipped(fake_video_dataset):
    # seq 0 is too short (< 20 frames), seq 1 has only 4 visible frames (needs > 4); seq 2 is fine
    ds = fake_video_dataset('vid', [15, 30, 30], hidden={1: list(range(4, 30))})
    sampler = ATOMSampler([ds], [1], 10, max_gap=50)
    random.seed(3)
    for _ in range(30):
        ds.calls.clear()
        sampler[0]
        assert {c[0] for c in ds.calls} == {2}


def test_image_datasets_are_single_frame_videos(fake_image_dataset):
    ds = fake_image_dataset('img', 5)
    sampler = ATOMSampler([ds], [1], 10, max_gap=50, num_test_frames=3, num_train_frames=2,
                          frame_sample_mode='causal')
    random.seed(4)
    s = sampler[0]
    assert len(s['train_images']) == 2 and len(s['test_images']) == 3
    assert ds.calls[0][1] == [1, 1] and ds.calls[1][1] == [1, 1, 1]
    assert s['test_class'] is None


def test_p_datasets_weights(fake_video_dataset, fake_image_dataset):
    vid = fake_video_dataset('vid', [40])
    img = fake_image_dataset('img', 3)
    random.seed(5)
    only_img = ATOMSampler([vid, img], [0, 1], 10, max_gap=5)
    assert {only_img[0]['dataset'] for _ in range(20)} == {'img'}
    mixed = ATOMSampler([vid, img], [3, 1], 10, max_gap=5)
    names = [mixed[0]['dataset'] for _ in range(400)]
    assert 0.65 < names.count('vid') / 400 < 0.85  # expected 0.75
    by_len = ATOMSampler([vid, img], None, 10, max_gap=5)
    assert by_len.p_datasets == pytest.approx([1 / 4, 3 / 4])  # len(vid) = 1 sequence, len(img) = 3


def test_bad_arguments_and_hopeless_datasets_raise(fake_video_dataset):
    ds = fake_video_dataset('vid', [10])
    with pytest.raises(ValueError, match='frame_sample_mode'):
        TrackingSampler([ds], [1], 10, 5, 1, frame_sample_mode='random')
    with pytest.raises(ValueError, match='p_datasets'):
        TrackingSampler([ds], [1, 2], 10, 5, 1)
    with pytest.raises(RuntimeError, match='no sequence'):
        ATOMSampler([ds], [1], 10, max_gap=5)[0]


def test_lwl_sampler_orders_frames_in_time(fake_video_dataset):
    from ltr.data.sampler import LWLSampler
    ds = fake_video_dataset('vid', [60])
    random.seed(6)
    fwd = LWLSampler([ds], [1], 10, max_gap=8, num_test_frames=3, num_train_frames=2)
    for _ in range(30):
        train, test = frame_ids_of(fwd[0])
        assert train == sorted(train) and test == sorted(test) and max(train) < min(test)
    rev = LWLSampler([ds], [1], 10, max_gap=8, num_test_frames=3, num_train_frames=2, p_reverse=1.0)
    for _ in range(30):
        s = rev[0]
        train, test = frame_ids_of(s)
        assert train == sorted(train, reverse=True) and test == sorted(test, reverse=True)
        assert min(train) > max(test)
        assert s['train_masks'] is None
