"""The `vot` demo writer: the otb_real sequences in the VOT toolkit layout (same bytes, same boxes), readable by
pytracking's VOTDataset, and not part of the default demo data."""
import filecmp
import os

import numpy as np

from ltr.dataset import demo_data

FEW = 10


def test_vot_writer_copies_otb_real_in_the_vot_layout(tmp_path, monkeypatch):
    root = demo_data.generate(str(tmp_path), seed=0, datasets=('otb_real', 'vot'), real_frames=FEW)
    assert 'vot' not in demo_data.DATASETS and 'vot' in demo_data.OPTIONAL_DATASETS
    vot = os.path.join(root, 'vot')
    names = open(os.path.join(vot, 'list.txt')).read().split()
    assert names == [p.name for p in demo_data.REAL_PLAN]
    assert not any(n.startswith('.') for n in os.listdir(root) if n not in ('demo_manifest.json',))
    for name in names:
        d = os.path.join(vot, name)
        frames = sorted(os.listdir(os.path.join(d, 'color')))
        assert frames == ['{:08d}.jpg'.format(i) for i in range(1, FEW + 1)]
        for i, f in enumerate(frames, start=1):
            assert filecmp.cmp(os.path.join(d, 'color', f),
                               os.path.join(root, 'otb_real', name, 'img', '{:04d}.jpg'.format(i)), shallow=False)
        gt = np.loadtxt(os.path.join(d, 'groundtruth.txt'), delimiter=',', ndmin=2)
        ref = np.loadtxt(os.path.join(root, 'otb_real', name, 'groundtruth_rect.txt'), delimiter=',', ndmin=2)
        np.testing.assert_array_equal(gt, ref)
        meta = dict(line.split('=', 1) for line in open(os.path.join(d, 'sequence')).read().split())
        assert meta['channels.color'] == 'color/%08d.jpg' and meta['length'] == str(FEW)

    monkeypatch.setenv('PYTRACKING_VOT_PATH', vot)
    from pytracking.evaluation.datasets import get_dataset
    seqs = get_dataset('vot')
    assert [s.name for s in seqs] == names
    assert seqs[0].frames[0] == os.path.join(vot, names[0], 'color', '00000001.jpg')
    np.testing.assert_array_equal(seqs[0].ground_truth_rect,
                                  np.loadtxt(os.path.join(vot, names[0], 'groundtruth.txt'), delimiter=','))
