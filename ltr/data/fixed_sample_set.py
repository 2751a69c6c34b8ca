"""A validation set that is the same every epoch: samples drawn once from a (random) sampler."""
import random

import numpy as np
import torch
import torch.utils.data


class FixedSampleSet(torch.utils.data.Dataset):
    """`num_samples` samples drawn once from `dataset` under a fixed seed (the global RNG states are restored
    afterwards), so every validation pass sees the same data.

    args:
        dataset - an indexable dataset whose items are random draws, e.g. `ltr.data.sampler.ATOMSampler`.
        num_samples - how many samples to draw (items 0 .. num_samples-1).
        seed - seed of Python's, numpy's and torch's global RNGs while drawing.
    """

    def __init__(self, dataset, num_samples, seed=1234):
        py_state, np_state, torch_state = random.getstate(), np.random.get_state(), torch.get_rng_state()
        try:
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            self.samples = [dataset[i] for i in range(num_samples)]
        finally:
            random.setstate(py_state)
            np.random.set_state(np_state)
            torch.set_rng_state(torch_state)

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        return self.samples[index]
