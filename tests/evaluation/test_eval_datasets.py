"""Each dataset loader reads a tiny folder in the real layout (written here) and returns the right frames and
boxes. Expected values come from the files the test writes, not from the loaders."""
import json
import os

import numpy as np
import pytest

from evaltest_helpers import make_otb_like, write_rows


def _otb_info(name):
    info = json.load(open(os.path.join(os.path.dirname(__file__), '..', '..', 'pytracking', 'evaluation',
                                       'sequence_info', 'otb.json')))
    return next(s for s in info if s['name'] == name)


def test_otb_irregular_ranges_and_delimiters(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_OTB_PATH', str(tmp_path))
    from pytracking.evaluation.otbdataset import OTBDataset
    ds = OTBDataset()
    assert len(ds) == 100

    # Tiger1: frames 1..354 with initOmit 5 -> first frame 0006.jpg, GT rows 5.. ; whitespace-separated file.
    gt = np.arange(354 * 4).reshape(354, 4) + 1
    write_rows(str(tmp_path / 'Tiger1' / 'groundtruth_rect.txt'), gt.tolist(), delimiter='\t')
    seq = ds._construct_sequence(_otb_info('Tiger1'))
    assert seq.frames[0] == '{}/Tiger1/img/0006.jpg'.format(tmp_path)
    assert seq.frames[-1] == '{}/Tiger1/img/0354.jpg'.format(tmp_path)
    assert len(seq.frames) == 349 == seq.ground_truth_rect.shape[0]
    np.testing.assert_array_equal(seq.ground_truth_rect[0], gt[5])
    assert seq.init_bbox() == list(gt[5].astype(float))

    # BlurCar1: frames 247..988, comma-separated.
    gt = np.tile([10, 20, 30, 40], (988 - 247 + 1, 1))
    write_rows(str(tmp_path / 'BlurCar1' / 'groundtruth_rect.txt'), gt.tolist(), delimiter=',')
    seq = ds._construct_sequence(_otb_info('BlurCar1'))
    assert os.path.basename(seq.frames[0]) == '0247.jpg' and os.path.basename(seq.frames[-1]) == '0988.jpg'

    # Jogging_2 reads groundtruth_rect.2.txt (space separated), Board has 5-digit names, KiteSurf png in jpg/.
    write_rows(str(tmp_path / 'Jogging' / 'groundtruth_rect.2.txt'), [[1, 2, 3, 4]] * 307, delimiter=' ')
    seq = ds._construct_sequence(_otb_info('Jogging_2'))
    assert seq.name == 'Jogging_2' and seq.frames[0].endswith('Jogging/img/0001.jpg')
    write_rows(str(tmp_path / 'Board' / 'groundtruth_rect.txt'), [[1, 2, 3, 4]] * 698)
    assert ds._construct_sequence(_otb_info('Board')).frames[0].endswith('Board/img/00001.jpg')
    write_rows(str(tmp_path / 'KiteSurf' / 'groundtruth_rect.txt'), [[1, 2, 3, 4]] * 84)
    assert ds._construct_sequence(_otb_info('KiteSurf')).frames[0].endswith('KiteSurf/jpg/0001.png')


def test_otb_unset_path_gives_clear_error(monkeypatch):
    monkeypatch.setenv('PYTRACKING_OTB_PATH', '')
    from pytracking.evaluation.datasets import get_dataset
    with pytest.raises(RuntimeError, match='otb_path'):
        get_dataset('otb')
    with pytest.raises(ValueError, match='Unknown dataset'):
        get_dataset('no_such_dataset')


def test_nfs_and_uav(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_NFS_PATH', str(tmp_path / 'nfs'))
    monkeypatch.setenv('PYTRACKING_UAV_PATH', str(tmp_path / 'uav'))
    from pytracking.evaluation.nfsdataset import NFSDataset
    from pytracking.evaluation.uavdataset import UAVDataset

    nfs = NFSDataset()
    info = next(s for s in nfs.sequence_info_list if s['name'] == 'nfs_MachLoop_jet')
    gt = np.array([[i, i + 1, 5, 6] for i in range(1, 100)])
    write_rows(str(tmp_path / 'nfs' / 'anno' / 'nfs_MachLoop_jet.txt'), gt.tolist(), delimiter='\t')
    seq = nfs._construct_sequence(info)
    assert seq.frames[0] == '{}/sequences/MachLoop_jet/00001.jpg'.format(tmp_path / 'nfs')
    assert len(seq.frames) == 99
    np.testing.assert_array_equal(seq.ground_truth_rect, gt)

    uav = UAVDataset()
    assert len(uav) == 123
    info = next(s for s in uav.sequence_info_list if s['name'] == 'uav_bird1_2')
    n = 1477 - 775 + 1
    rows = [[1, 2, 3, 4]] * n
    rows[3] = ['NaN'] * 4  # absent target
    write_rows(str(tmp_path / 'uav' / 'anno' / 'UAV123' / 'bird1_2.txt'), rows)
    seq = uav._construct_sequence(info)
    assert seq.frames[0] == '{}/data_seq/UAV123/bird1/000775.jpg'.format(tmp_path / 'uav')
    assert seq.frames[-1].endswith('bird1/001477.jpg') and len(seq.frames) == n
    assert np.isnan(seq.ground_truth_rect[3]).all() and seq.ground_truth_rect[4].tolist() == [1, 2, 3, 4]


def test_lasot(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_LASOT_PATH', str(tmp_path))
    from pytracking.evaluation.lasotdataset import LaSOTDataset, LaSOTTrainSequencesDataset
    ds = LaSOTDataset()
    assert len(ds) == 280 and len(set(ds.sequence_list)) == 280
    # Known LaSOT test sequences; training ones are absent.
    assert {'airplane-1', 'airplane-9', 'airplane-13', 'airplane-15', 'zebra-10'} <= set(ds.sequence_list)
    assert 'airplane-10' not in ds.sequence_list
    assert len(LaSOTTrainSequencesDataset()) == 1120

    seq_dir = tmp_path / 'airplane' / 'airplane-1'
    gt = [[10, 20, 30, 40], [11, 21, 30, 40], [0, 0, 0, 0], [13, 23, 30, 40]]
    write_rows(str(seq_dir / 'groundtruth.txt'), gt)
    write_rows(str(seq_dir / 'full_occlusion.txt'), [[0, 0, 1, 0]])
    write_rows(str(seq_dir / 'out_of_view.txt'), [[0, 1, 0, 0]])
    seq = ds._construct_sequence('airplane-1')
    assert seq.frames == [str(seq_dir / 'img' / '{:08d}.jpg'.format(i)) for i in range(1, 5)]
    assert seq.target_visible.tolist() == [True, False, False, True]
    assert seq.object_class == 'airplane' and seq.dataset == 'lasot'
    np.testing.assert_array_equal(seq.ground_truth_rect, gt)


def _touch_frames(folder, numbers, fmt='{:08d}.jpg'):
    os.makedirs(folder, exist_ok=True)
    for n in numbers:
        open(os.path.join(folder, fmt.format(n)), 'wb').close()


def test_got10k_test_val_and_ltrval(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_GOT10K_PATH', str(tmp_path))
    from pytracking.evaluation.datasets import get_dataset
    from pytracking.evaluation.got10kdataset import GOT10KDataset
    for split in ('test', 'val'):
        names = ['GOT-10k_{}_000002'.format(split.capitalize()), 'GOT-10k_{}_000001'.format(split.capitalize())]
        write_rows(str(tmp_path / split / 'list.txt'), [[n] for n in names])
        for n in names:
            _touch_frames(str(tmp_path / split / n), [1, 2, 9, 10, 11])
            rows = [[1, 2, 3, 4]] if split == 'test' else [[1, 2, 3, 4]] * 5  # test: first box only
            write_rows(str(tmp_path / split / n / 'groundtruth.txt'), rows)
    seqs = get_dataset('got10k_test')
    assert [s.name for s in seqs] == ['GOT-10k_Test_000002', 'GOT-10k_Test_000001']  # list.txt order
    s = seqs['GOT-10k_Test_000001']
    assert [os.path.basename(f) for f in s.frames] == ['00000001.jpg', '00000002.jpg', '00000009.jpg',
                                                       '00000010.jpg', '00000011.jpg']
    assert s.ground_truth_rect.shape == (1, 4) and s.init_bbox() == [1.0, 2.0, 3.0, 4.0]
    assert get_dataset('got10k_val')[0].ground_truth_rect.shape == (5, 4)

    # ltrval: entries of ltr/data_specs/got10k_val_split.txt index train/list.txt (first entry is 1349).
    train_names = ['GOT-10k_Train_{:06d}'.format(i + 1) for i in range(9335)]
    write_rows(str(tmp_path / 'train' / 'list.txt'), [[n] for n in train_names])
    ltrval = GOT10KDataset('ltrval')
    assert len(ltrval) == 1401 and ltrval.sequence_list[0] == train_names[1349]


def test_trackingnet_test(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_TRACKINGNET_PATH', str(tmp_path))
    from pytracking.evaluation.datasets import get_dataset
    for name in ('seqB', 'seqA'):
        write_rows(str(tmp_path / 'TEST' / 'anno' / (name + '.txt')), [[5.5, 6.5, 7.0, 8.0]])
        _touch_frames(str(tmp_path / 'TEST' / 'frames' / name), range(12), fmt='{}.jpg')
    seqs = get_dataset('trackingnet')
    assert sorted(s.name for s in seqs) == ['seqA', 'seqB']
    s = seqs['seqA']
    assert [os.path.basename(f) for f in s.frames] == ['{}.jpg'.format(i) for i in range(12)]
    assert s.init_bbox() == [5.5, 6.5, 7.0, 8.0] and s.dataset == 'trackingnet'


def test_vot_polygons_and_rects(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_VOT_PATH', str(tmp_path))
    from pytracking.evaluation.datasets import get_dataset
    write_rows(str(tmp_path / 'list.txt'), [['ants1'], ['bag']])
    # rotated polygon -> bounding rectangle: xs 10..30, ys 5..25
    write_rows(str(tmp_path / 'ants1' / 'groundtruth.txt'), [[20, 5, 30, 15, 20, 25, 10, 15]] * 3)
    os.makedirs(tmp_path / 'ants1' / 'color')
    write_rows(str(tmp_path / 'bag' / 'groundtruth.txt'), [[1, 2, 3, 4]] * 2)
    seqs = get_dataset('vot')
    assert [s.name for s in seqs] == ['ants1', 'bag']
    np.testing.assert_array_equal(seqs[0].ground_truth_rect, [[10, 5, 20, 20]] * 3)
    assert seqs[0].frames[0] == str(tmp_path / 'ants1' / 'color' / '00000001.jpg')
    assert seqs[1].frames[-1] == str(tmp_path / 'bag' / '00000002.jpg')
    np.testing.assert_array_equal(seqs[1].ground_truth_rect, [[1, 2, 3, 4]] * 2)


def test_tpl(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_TPL_PATH', str(tmp_path))
    from pytracking.evaluation.datasets import get_dataset
    write_rows(str(tmp_path / 'Airport_ce' / 'Airport_ce_gt.txt'), [[1, 2, 3, 4]] * 4)
    write_rows(str(tmp_path / 'Airport_ce' / 'Airport_ce_frames.txt'), [[3, 6]])
    write_rows(str(tmp_path / 'Basketball' / 'Basketball_gt.txt'), [[1, 2, 3, 4]] * 2)
    seqs = get_dataset('tpl')
    assert [s.name for s in seqs] == ['tpl_Airport_ce', 'tpl_Basketball']
    assert seqs[0].frames[0].endswith('Airport_ce/img/0003.jpg') and len(seqs[0].frames) == 4
    assert [s.name for s in get_dataset('tpl_nootb')] == ['tpl_Airport_ce']


def test_demo_dataset_and_sequence_list(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_DEMO_PATH', str(tmp_path))
    from pytracking.evaluation.datasets import get_dataset
    with pytest.raises(FileNotFoundError, match='demo_data'):
        get_dataset('demo')
    gts = make_otb_like(str(tmp_path / 'otb'), {'Alpha': (5, 6, 10, 12), 'Beta': (3, 4, 8, 9)}, n_frames=4)
    seqs = get_dataset('demo')
    assert [s.name for s in seqs] == ['Alpha', 'Beta']
    assert len(seqs['Beta'].frames) == 4 and seqs['Beta'].frames[0].endswith('Beta/img/0001.jpg')
    np.testing.assert_array_equal(seqs['Alpha'].ground_truth_rect, gts['Alpha'])
    # SequenceList indexing
    assert seqs[1].name == 'Beta' and [s.name for s in seqs[[1, 0]]] == ['Beta', 'Alpha']
    assert type(seqs[0:1]).__name__ == 'SequenceList' and type(seqs + seqs).__name__ == 'SequenceList'
    with pytest.raises(IndexError, match='Gamma'):
        seqs['Gamma']


def test_sequence_init_data_start_frame():
    from pytracking.evaluation.data import Sequence
    gt = np.array([[1, 1, 2, 2], [2, 2, 3, 3], [3, 3, 4, 4]], dtype=float)
    seq = Sequence('s', ['a', 'b', 'c'], 'otb', gt, init_data={1: {'bbox': np.array([2, 2, 3, 3])}})
    # frames before the first init frame are dropped
    assert seq.frames == ['b', 'c'] and seq.ground_truth_rect.shape == (2, 4)
    assert seq.init_info() == {'init_bbox': [2, 2, 3, 3]} and seq.frame_info(1) == {}
