"""LTRLoader: a torch DataLoader that knows its name/training flag and collates TensorDict/TensorList batches.

pytracking's collate used ``collections.Mapping``/``Sequence`` (removed in Python 3.10) and
``torch.utils.data.dataloader.numpy_type_map`` (removed from torch); this one uses ``collections.abc`` and
``torch.as_tensor`` and otherwise keeps pytracking's rules:

- tensors are stacked (along dim 0 for ``ltr_collate``, dim 1 for ``ltr_collate_stack1``; 0-d tensors
  along dim 0), into shared memory when running in a worker;
- numpy arrays become stacked tensors, numpy scalars a 1-D tensor;
- int -> int64 tensor, float -> float64 tensor, str/bytes and None -> list;
- TensorDict / dict -> the same kind of mapping of collated values;
- TensorList / other sequences -> transposed, element-wise collated (TensorList stays a TensorList).
"""
import collections.abc
import re

import numpy as np
import torch
import torch.utils.data
import torch.utils.data.dataloader

from pytracking.libs import TensorDict, TensorList

_np_str_obj_array_pattern = re.compile(r'[SaUO]')


def _stack(batch, stack_dim):
    elem = batch[0]
    # 0-d tensors can only be stacked along dim 0 (pytracking's stack1 raised IndexError for them)
    stack_dim = min(stack_dim, elem.dim())
    out = None
    if torch.utils.data.get_worker_info() is not None:
        # In a worker, stack straight into shared memory to avoid a copy when the batch is sent to the
        # main process (same trick as torch's default_collate).
        try:
            numel = sum(x.numel() for x in batch)
            storage = elem._typed_storage()._new_shared(numel, device=elem.device)
            shape = list(elem.size())
            shape.insert(stack_dim, len(batch))
            out = elem.new(storage).resize_(*shape)
        except (AttributeError, RuntimeError):
            out = None  # private storage API unavailable: plain stack
    return torch.stack(batch, stack_dim, out=out)


def _collate(batch, stack_dim):
    elem = batch[0]
    elem_type = type(elem)

    if isinstance(elem, torch.Tensor):
        return _stack(batch, stack_dim)

    if elem_type.__module__ == 'numpy' and elem_type.__name__ not in ('str_', 'string_', 'bytes_'):
        if isinstance(elem, np.ndarray) and elem.shape != ():
            if _np_str_obj_array_pattern.search(elem.dtype.str) is not None:
                raise TypeError('ltr_collate: batch must contain tensors, numbers, dicts or lists; '
                                'found numpy array of dtype {}'.format(elem.dtype))
            return _stack([torch.as_tensor(b) for b in batch], stack_dim)
        # numpy scalar (or 0-d array): a 1-D tensor of the batch (pytracking used numpy_type_map here)
        return torch.as_tensor(np.array([np.asarray(b).item() for b in batch], dtype=np.asarray(elem).dtype))

    if isinstance(elem, bool) or isinstance(elem, int):
        return torch.LongTensor(batch)
    if isinstance(elem, float):
        return torch.DoubleTensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if elem is None:
        return batch
    if isinstance(elem, TensorDict):
        return TensorDict({key: _collate([d[key] for d in batch], stack_dim) for key in elem})
    if isinstance(elem, collections.abc.Mapping):
        return {key: _collate([d[key] for d in batch], stack_dim) for key in elem}
    if isinstance(elem, TensorList):
        transposed = zip(*batch)
        return TensorList([_collate(samples, stack_dim) for samples in transposed])
    if isinstance(elem, collections.abc.Sequence):
        transposed = zip(*batch)
        return [_collate(samples, stack_dim) for samples in transposed]

    raise TypeError('ltr_collate: batch must contain tensors, numbers, dicts or lists; found {}'.format(elem_type))


def ltr_collate(batch):
    """Collate a list of samples into a batch, stacking tensors along dim 0."""
    return _collate(batch, 0)


def ltr_collate_stack1(batch):
    """Collate a list of samples into a batch, stacking tensors along dim 1 (frames x batch x ...)."""
    return _collate(batch, 1)


class LTRLoader(torch.utils.data.dataloader.DataLoader):
    """DataLoader with ``name``, ``training``, ``epoch_interval`` (run every n-th epoch) and ``stack_dim``.

    ``stack_dim`` picks the collate function (0: ``ltr_collate``, 1: ``ltr_collate_stack1``) when
    ``collate_fn`` is None. The arguments are pytracking's; anything newer (``persistent_workers``,
    ``prefetch_factor``, ...) can be set with keyword arguments.
    """

    __initialized = False

    def __init__(self, name, dataset, training=True, batch_size=1, shuffle=False, sampler=None, batch_sampler=None,
                 num_workers=0, epoch_interval=1, collate_fn=None, stack_dim=0, pin_memory=False, drop_last=False,
                 timeout=0, worker_init_fn=None, **kwargs):
        if collate_fn is None:
            if stack_dim == 0:
                collate_fn = ltr_collate
            elif stack_dim == 1:
                collate_fn = ltr_collate_stack1
            else:
                raise ValueError('LTRLoader(stack_dim): must be 0 or 1, got {!r}'.format(stack_dim))

        super().__init__(dataset, batch_size=batch_size, shuffle=shuffle, sampler=sampler,
                         batch_sampler=batch_sampler, num_workers=num_workers, collate_fn=collate_fn,
                         pin_memory=pin_memory, drop_last=drop_last, timeout=timeout,
                         worker_init_fn=worker_init_fn, **kwargs)

        self.name = name
        self.training = training
        self.epoch_interval = epoch_interval
        self.stack_dim = stack_dim


# Kept for pytracking API compatibility; not on ATOM's path.
class _RepeatSampler:
    """A (batch) sampler that repeats forever, so one iterator can serve several epochs."""

    def __init__(self, sampler):
        self.sampler = sampler

    def __iter__(self):
        while True:
            yield from iter(self.sampler)


# Kept for pytracking API compatibility; not on ATOM's path.
class MultiEpochLTRLoader(LTRLoader):
    """LTRLoader that keeps its worker processes alive across epochs (one iterator, repeated sampler)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # DataLoader forbids re-assigning batch_sampler after construction unless it is re-opened like this.
        self._DataLoader__initialized = False
        self.batch_sampler = _RepeatSampler(self.batch_sampler)
        self._DataLoader__initialized = True
        self.iterator = super().__iter__()

    def __len__(self):
        return len(self.batch_sampler.sampler)

    def __iter__(self):
        for _ in range(len(self)):
            yield next(self.iterator)
