import os

import pytest

import ltr.admin.environment as ltr_env
import pytracking.evaluation.environment as pt_env


@pytest.fixture
def ltr_local(tmp_path, monkeypatch):
    path = tmp_path / 'local.py'
    monkeypatch.setattr(ltr_env, 'LOCAL_FILE', str(path))
    for name in list(os.environ):
        if name.startswith('LTR_'):
            monkeypatch.delenv(name)
    return path


@pytest.fixture
def pt_local(tmp_path, monkeypatch):
    path = tmp_path / 'pt_local.py'
    monkeypatch.setattr(pt_env, 'LOCAL_FILE', str(path))
    for name in list(os.environ):
        if name.startswith('PYTRACKING_'):
            monkeypatch.delenv(name)
    return path


def test_missing_local_file_is_created_with_pytracking_attributes(ltr_local):
    settings = ltr_env.env_settings()
    assert ltr_local.exists()
    expected = ['workspace_dir', 'tensorboard_dir', 'pretrained_networks', 'pregenerated_masks', 'lasot_dir',
                'got10k_dir', 'trackingnet_dir', 'coco_dir', 'lvis_dir', 'sbd_dir', 'imagenet_dir',
                'imagenetdet_dir', 'ecssd_dir', 'hkuis_dir', 'msra10k_dir', 'davis_dir', 'youtubevos_dir',
                'lasot_candidate_matching_dataset_path']
    for name in expected:
        assert hasattr(settings, name), name
    assert settings.lasot_dir == '' and settings.got10k_dir == ''
    assert settings.tensorboard_dir == settings.workspace_dir + '/tensorboard/'


def test_existing_local_file_is_read_and_never_overwritten(ltr_local):
    text = ("class EnvironmentSettings:\n    def __init__(self):\n        self.workspace_dir = '/ws'\n"
            "        self.tensorboard_dir = self.workspace_dir + '/tensorboard/'\n        self.lasot_dir = '/data/lasot'\n")
    ltr_local.write_text(text)
    settings = ltr_env.env_settings()
    assert settings.workspace_dir == '/ws' and settings.lasot_dir == '/data/lasot'
    assert settings.got10k_dir == ''  # attributes missing from an old local.py get defaults
    assert ltr_env.create_default_local_file() is False
    assert ltr_local.read_text() == text


def test_broken_local_file_names_the_file(ltr_local):
    ltr_local.write_text('class EnvironmentSettings:\n    def __init__(self):\n        self.x = undefined_name\n')
    with pytest.raises(RuntimeError, match='local.py is broken.*NameError'):
        ltr_env.env_settings()
    assert 'undefined_name' in ltr_local.read_text()  # not replaced by defaults, unlike pytracking


def test_environment_variables_override_the_file(ltr_local, monkeypatch):
    ltr_local.write_text("class EnvironmentSettings:\n    def __init__(self):\n        self.workspace_dir = '/ws'\n"
                         "        self.tensorboard_dir = self.workspace_dir + '/tensorboard/'\n"
                         "        self.got10k_dir = '/file/got'\n")
    monkeypatch.setenv('LTR_GOT10K_DIR', '/env/got')
    monkeypatch.setenv('LTR_WORKSPACE_DIR', '/env/ws')
    settings = ltr_env.env_settings()
    assert settings.got10k_dir == '/env/got'
    assert settings.workspace_dir == '/env/ws'
    assert settings.tensorboard_dir == '/env/ws/tensorboard/'  # derived directory follows the new workspace
    monkeypatch.setenv('LTR_TENSORBOARD_DIR', '/tb')
    assert ltr_env.env_settings().tensorboard_dir == '/tb'


def test_pytracking_settings_default_override_and_broken(pt_local, monkeypatch):
    settings = pt_env.env_settings()
    assert pt_local.exists()
    for name in ('results_path', 'network_path', 'result_plot_path', 'segmentation_path', 'otb_path', 'nfs_path',
                 'uav_path', 'tpl_path', 'vot_path', 'got10k_path', 'lasot_path', 'trackingnet_path', 'demo_path'):
        assert hasattr(settings, name), name
    assert settings.results_path.endswith('tracking_results/')
    assert settings.otb_path == ''
    text = pt_local.read_text()
    assert 'def local_env_settings' in text and 'settings.otb_path' in text
    monkeypatch.setenv('PYTRACKING_OTB_PATH', '/data/otb')
    assert pt_env.env_settings().otb_path == '/data/otb'
    pt_local.write_text('def local_env_settings(:\n')
    with pytest.raises(RuntimeError, match='pt_local.py is broken'):
        pt_env.env_settings()


def test_missing_settings_helper(ltr_local):
    settings = ltr_env.env_settings()
    assert ltr_env.missing_settings(settings, ['lasot_dir', 'workspace_dir']) == ['lasot_dir']
