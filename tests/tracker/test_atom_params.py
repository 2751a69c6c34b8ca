"""TrackerParams / FeatureParams and the parameter files."""
import math

import pytest
import torch

from pytracking.libs import TensorList
from pytracking.utils.params import FeatureParams, TrackerParams


def test_tracker_params_get_has():
    p = TrackerParams()
    p.a = 3
    assert p.get('a') == 3 and p.get('b', 7) == 7 and p.has('a') and not p.has('b')
    with pytest.raises(AttributeError, match='"b"'):
        p.get('b')
    with pytest.raises(ValueError):
        p.get('a', 1, 2)
    p.set_default_values({'a': 5, 'c': 1})
    assert p.a == 3 and p.c == 1


def test_feature_params_lists_become_tensorlists():
    fp = FeatureParams(x=[1, 2], y=3)
    assert isinstance(fp.x, TensorList) and fp.y == 3
    with pytest.raises(ValueError):
        FeatureParams(1)


def test_default_parameters_match_paper_setup():
    from pytracking.parameter.atom.default import parameters
    p = parameters()
    augs = p.augmentation
    n_transforms = 1 + len(augs['relativeshift']) + int(augs['fliplr']) + len(augs['blur']) + len(augs['rotate'])
    assert n_transforms == 23 and augs['dropout'][0] == 7
    assert p.max_image_sample_size == 288 ** 2 and p.search_area_scale == 5
    assert p.init_CG_iter // p.init_GN_iter == 10 and p.dispalcement_scale == 0.8
    deep = p.features.features[0].fparams.feature_params[0]
    assert deep.kernel_size == (4, 4) and deep.compressed_dim == 64 and math.isclose(deep.output_sigma_factor, 0.25)


def test_variants():
    from pytracking.parameter.atom import default_vot, demo, multiscale_no_iounet
    ms = multiscale_no_iounet.parameters()
    assert not ms.use_iou_net and torch.allclose(ms.scale_factors, torch.tensor([1.02 ** k for k in range(-2, 3)]))
    vot = default_vot.parameters()
    deep = vot.features.features[0].fparams.feature_params[0]
    assert vot.search_area_scale == 4 and deep.learning_rate == 0.0075
    assert not hasattr(deep, 'init_samples_minimum_weight')
    d = demo.parameters()
    assert d.features.features[0].net_path.endswith('checkpoints/ltr/bbreg/atom_demo')


def test_load_network_missing_name_names_the_paths_tried(tmp_path, monkeypatch):
    from pytracking.utils.loading import load_network
    monkeypatch.setenv('PYTRACKING_NETWORK_PATH', str(tmp_path))
    with pytest.raises(FileNotFoundError, match='no_such_net.pth'):
        load_network('no_such_net.pth')
    with pytest.raises(FileNotFoundError, match='missing_dir'):
        load_network(str(tmp_path / 'missing_dir'))
