"""ltr_collate / ltr_collate_stack1 / LTRLoader on Python 3.11 (pytracking's used removed collections names)."""
import numpy as np
import pytest
import torch

from ltr.data import LTRLoader
from ltr.data.loader import MultiEpochLTRLoader, ltr_collate, ltr_collate_stack1
from pytracking.libs import TensorDict, TensorList


def sample(i):
    return TensorDict({'img': torch.full((1, 3, 2, 2), float(i)),  # 1 frame x C x H x W
                       'anno': torch.tensor([[i, 0.0, 1.0, 1.0]]),
                       'dataset': 'ds{}'.format(i),
                       'test_class': None,
                       'count': i,
                       'score': 0.5 * i,
                       'arr': np.array([i, i + 1], dtype=np.int32),
                       'npscalar': np.float32(i),
                       'tl': TensorList([torch.tensor([i]), torch.tensor([10 * i])]),
                       'nested': {'a': torch.tensor(float(i))}})


def test_collate_stack0_types_and_values():
    batch = ltr_collate([sample(1), sample(2), sample(3)])
    assert isinstance(batch, TensorDict)
    assert batch['img'].shape == (3, 1, 3, 2, 2) and batch['img'][2].max() == 3
    assert batch['dataset'] == ['ds1', 'ds2', 'ds3']
    assert batch['test_class'] == [None, None, None]
    assert batch['count'].dtype == torch.int64 and batch['count'].tolist() == [1, 2, 3]
    assert batch['score'].dtype == torch.float64 and batch['score'].tolist() == [0.5, 1.0, 1.5]
    assert batch['arr'].tolist() == [[1, 2], [2, 3], [3, 4]] and batch['arr'].dtype == torch.int32
    assert batch['npscalar'].tolist() == [1.0, 2.0, 3.0]
    assert isinstance(batch['tl'], TensorList) and batch['tl'][1].tolist() == [[10], [20], [30]]
    assert isinstance(batch['nested'], dict) and batch['nested']['a'].tolist() == [1.0, 2.0, 3.0]


def test_collate_stack1_puts_batch_second():
    batch = ltr_collate_stack1([sample(1), sample(2)])
    assert batch['img'].shape == (1, 2, 3, 2, 2)
    assert batch['anno'].shape == (1, 2, 4) and batch['anno'][0, :, 0].tolist() == [1.0, 2.0]
    assert batch['arr'].shape == (2, 2)  # 1-D arrays stack along dim 1 too: element x batch
    assert batch['arr'][:, 1].tolist() == [2, 3]


def test_collate_rejects_unknown_types():
    with pytest.raises(TypeError, match='ltr_collate'):
        ltr_collate([object(), object()])


class _Samples(torch.utils.data.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        return sample(i)


@pytest.mark.parametrize('num_workers', [0, 2])
def test_ltr_loader_attributes_and_batches(num_workers):
    loader = LTRLoader('train', _Samples(), training=True, batch_size=3, num_workers=num_workers,
                       epoch_interval=5, stack_dim=1, drop_last=True)
    assert (loader.name, loader.training, loader.epoch_interval, loader.stack_dim) == ('train', True, 5, 1)
    batches = list(loader)
    assert len(batches) == 2
    assert batches[1]['img'].shape == (1, 3, 3, 2, 2)
    assert batches[1]['anno'][0, :, 0].tolist() == [3.0, 4.0, 5.0]


def test_ltr_loader_rejects_bad_stack_dim():
    with pytest.raises(ValueError, match='stack_dim'):
        LTRLoader('val', _Samples(), stack_dim=2)


def test_multi_epoch_loader_serves_several_epochs():
    loader = MultiEpochLTRLoader('train', _Samples(), batch_size=2)
    for _ in range(2):
        firsts = [b['count'].tolist() for b in loader]
        assert firsts == [[0, 1], [2, 3], [4, 5]]
