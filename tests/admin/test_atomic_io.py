import os

import numpy as np
import pytest
import torch

from ltr.admin.atomic_io import atomic_open, atomic_savetxt, atomic_torch_save


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / 'result.txt'
    target.write_text('old complete content\n')
    with pytest.raises(RuntimeError):
        with atomic_open(target) as f:
            f.write('half of the new')
            raise RuntimeError('killed mid-write')
    assert target.read_text() == 'old complete content\n'
    assert os.listdir(tmp_path) == ['result.txt']


def test_successful_writes_replace_the_target(tmp_path):
    boxes = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    atomic_savetxt(tmp_path / 'sub' / 'seq.txt', boxes, delimiter='\t', fmt='%d')
    assert (tmp_path / 'sub' / 'seq.txt').read_text() == '1\t2\t3\t4\n5\t6\t7\t8\n'
    mask = os.umask(0o022)
    os.umask(mask)
    assert os.stat(tmp_path / 'sub' / 'seq.txt').st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's 0600
    atomic_torch_save({'epoch': 3}, tmp_path / 'ck.pth.tar')
    assert torch.load(tmp_path / 'ck.pth.tar', weights_only=True) == {'epoch': 3}
