"""FixedSampleSet (the atom_demo validation set): drawn once under its own seed, the callers' RNGs untouched."""
import random

import numpy as np
import torch

from ltr.data.fixed_sample_set import FixedSampleSet


class RandomDraws:
    """Every item is a fresh draw from the three global RNGs (as a sampler's items are)."""

    def __getitem__(self, index):
        return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_same_samples_for_the_same_seed_and_rng_states_restored():
    random.seed(5)
    np.random.seed(5)
    torch.manual_seed(5)
    expected_next = (random.random(), float(np.random.rand()), float(torch.rand(1)))
    random.seed(5)
    np.random.seed(5)
    torch.manual_seed(5)
    a = FixedSampleSet(RandomDraws(), 4, seed=7)
    assert (random.random(), float(np.random.rand()), float(torch.rand(1))) == expected_next
    b = FixedSampleSet(RandomDraws(), 4, seed=7)
    assert len(a) == 4 and [a[i] for i in range(4)] == [b[i] for i in range(4)]
    assert a[0] == a[0] and a[0] != a[1]                      # fixed: indexing does not draw again
    assert FixedSampleSet(RandomDraws(), 4, seed=8)[0] != a[0]
