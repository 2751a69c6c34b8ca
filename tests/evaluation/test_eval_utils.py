"""Result packing for GOT-10k / TrackingNet servers, load_text delimiters, VOT polygon conversion."""
import os
import zipfile

import numpy as np
import pytest

from evaltest_helpers import write_rows


def test_pack_got10k_results(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_GOT10K_PATH', str(tmp_path / 'got'))
    monkeypatch.setenv('PYTRACKING_RESULTS_PATH', str(tmp_path / 'res'))
    monkeypatch.setenv('PYTRACKING_GOT_PACKED_RESULTS_PATH', str(tmp_path / 'packed'))
    from pytracking.util_scripts.pack_got10k_results import pack_got10k_results
    names = ['GOT-10k_Test_000001', 'GOT-10k_Test_000002']
    write_rows(str(tmp_path / 'got' / 'test' / 'list.txt'), [[n] for n in names])
    for n in names:
        write_rows(str(tmp_path / 'got' / 'test' / n / 'groundtruth.txt'), [[1, 2, 3, 4]])
        for run in range(3):
            d = tmp_path / 'res' / 'trk' / 'p_{:03d}'.format(run)
            write_rows(str(d / (n + '.txt')), [[run, 2, 3, 4], [run + 1, 2, 3, 4]], delimiter='\t')
            write_rows(str(d / (n + '_time.txt')), [[0.5], [0.25]])
    zip_path = pack_got10k_results('trk', 'p', 'out')
    assert zip_path == str(tmp_path / 'packed' / 'out.zip')
    with zipfile.ZipFile(zip_path) as z:
        files = sorted(z.namelist())
        assert 'GOT-10k_Test_000002/GOT-10k_Test_000002_003.txt' in files
        assert 'GOT-10k_Test_000001/GOT-10k_Test_000001_time.txt' in files
        text = z.read('GOT-10k_Test_000001/GOT-10k_Test_000001_002.txt').decode()
    np.testing.assert_array_equal(np.loadtxt(text.splitlines(), delimiter=','), [[1, 2, 3, 4], [2, 2, 3, 4]])
    assert not [f for f in os.listdir(tmp_path / 'packed') if f != 'out.zip']


def test_pack_trackingnet_results(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_TRACKINGNET_PATH', str(tmp_path / 'tn'))
    monkeypatch.setenv('PYTRACKING_RESULTS_PATH', str(tmp_path / 'res'))
    monkeypatch.setenv('PYTRACKING_TN_PACKED_RESULTS_PATH', str(tmp_path / 'packed'))
    from pytracking.util_scripts.pack_trackingnet_results import pack_trackingnet_results
    write_rows(str(tmp_path / 'tn' / 'TEST' / 'anno' / 'abc.txt'), [[1, 2, 3, 4]])
    os.makedirs(tmp_path / 'tn' / 'TEST' / 'frames' / 'abc')
    write_rows(str(tmp_path / 'res' / 'trk' / 'p_001' / 'abc.txt'), [[1, 2, 3, 4], [5, 6, 7, 8]], delimiter='\t')
    zip_path = pack_trackingnet_results('trk', 'p', run_id=1)
    assert os.path.basename(zip_path) == 'trk_p_001.zip'
    with zipfile.ZipFile(zip_path) as z:
        assert z.read('abc.txt').decode().splitlines() == ['1.00,2.00,3.00,4.00', '5.00,6.00,7.00,8.00']
    monkeypatch.setenv('PYTRACKING_TN_PACKED_RESULTS_PATH', '')
    with pytest.raises(RuntimeError, match='tn_packed_results_path'):
        pack_trackingnet_results('trk', 'p', run_id=1)


def test_load_text_delimiters(tmp_path):
    from pytracking.utils.load_text import load_text
    p = tmp_path / 'a.txt'
    p.write_text('1\t2\t3\t4\n5\t6\t7\t8\n')
    for backend in ('numpy', 'pandas'):
        np.testing.assert_array_equal(load_text(str(p), delimiter=(',', '\t'), backend=backend),
                                      [[1, 2, 3, 4], [5, 6, 7, 8]])
    p.write_text('1 2 3 4\n')
    np.testing.assert_array_equal(load_text(str(p), delimiter=(',', None)), [[1, 2, 3, 4]])
    with pytest.raises(ValueError, match='a.txt'):
        load_text(str(p), delimiter=(',', ';'))


def test_convert_vot_anno_to_rect():
    from pytracking.utils.convert_vot_anno_to_rect import convert_vot_anno_to_rect
    diamond = [20, 10, 30, 20, 20, 30, 10, 20]  # square of side sqrt(200) rotated by 45 degrees
    assert convert_vot_anno_to_rect(diamond, 'union') == [10, 10, 20, 20]
    x, y, w, h = convert_vot_anno_to_rect(diamond, 'preserve_area')
    # area 200 kept: side sqrt(200) (+1 VOT convention), centred at (20, 20)
    assert w == pytest.approx(np.sqrt(200) + 1) and h == pytest.approx(np.sqrt(200) + 1)
    assert x + w / 2 == pytest.approx(20) and y + h / 2 == pytest.approx(20)
    assert convert_vot_anno_to_rect([1, 2, 3, 4], 'union') == [1, 2, 3, 4]
