import os
import sys
import types

import pytest

import ltr.admin.environment as ltr_env
import pytracking.evaluation.environment as pt_env


@pytest.fixture
def ltr_local(tmp_path, monkeypatch):
    path = tmp_path / 'local.py'
    monkeypatch.setattr(ltr_env, 'LOCAL_FILE', str(path))
    monkeypatch.delitem(sys.modules, 'ltr.admin.local', raising=False)  # restored after the test
    for name in list(os.environ):
        if name.startswith('LTR_'):
            monkeypatch.delenv(name)
    return path


@pytest.fixture
def pt_local(tmp_path, monkeypatch):
    path = tmp_path / 'pt_local.py'
    monkeypatch.setattr(pt_env, 'LOCAL_FILE', str(path))
    monkeypatch.delitem(sys.modules, 'pytracking.evaluation.local', raising=False)
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
            "        self.tensorboard_dir = self.workspace_dir + '/tensorboard/'\n"
            "        self.lasot_dir = '/data/lasot'\n")
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


# --- Where the settings come from: a user module, then the file, then the defaults; env variables on top. ---

def _ltr_module(workspace, name='ltr.admin.local'):
    module = types.ModuleType(name)

    class EnvironmentSettings:
        def __init__(self):
            self.workspace_dir = workspace
            self.tensorboard_dir = workspace + '/tensorboard/'
            self.lasot_dir = '/module/lasot'

    module.EnvironmentSettings = EnvironmentSettings
    return module


def test_module_registered_in_sys_modules_wins_over_the_file(ltr_local, monkeypatch):
    ltr_local.write_text("class EnvironmentSettings:\n    def __init__(self):\n        self.workspace_dir = '/file'\n")
    ltr_env.env_settings()  # the file is read (and becomes ltr.admin.local) ...
    monkeypatch.setitem(sys.modules, 'ltr.admin.local', _ltr_module('/notebook'))
    settings = ltr_env.env_settings()  # ... until the user registers their own module
    assert settings.workspace_dir == '/notebook' and settings.lasot_dir == '/module/lasot'
    assert settings.got10k_dir == ''  # missing attributes still get defaults
    monkeypatch.setenv('LTR_LASOT_DIR', '/env/lasot')
    monkeypatch.setenv('LTR_WORKSPACE_DIR', '/env/ws')
    settings = ltr_env.env_settings()  # environment variables still override single attributes
    assert settings.lasot_dir == '/env/lasot' and settings.tensorboard_dir == '/env/ws/tensorboard/'
    monkeypatch.delitem(sys.modules, 'ltr.admin.local')
    monkeypatch.delenv('LTR_WORKSPACE_DIR')
    assert ltr_env.env_settings().workspace_dir == '/file'  # without it, back to the file


def test_module_found_by_importlib_wins_and_no_file_is_created(ltr_local, tmp_path, monkeypatch):
    import ltr.admin
    site = tmp_path / 'site'
    site.mkdir()
    (site / 'local.py').write_text("class EnvironmentSettings:\n    def __init__(self):\n"
                                   "        self.workspace_dir = '/site-packages'\n")
    # A folder ahead of the package's own in ltr.admin.__path__: what importlib.import_module('ltr.admin.local')
    # finds first (as pytracking would load it), e.g. a settings overlay for a read-only install.
    monkeypatch.setattr(ltr.admin, '__path__', [str(site)] + list(ltr.admin.__path__))
    settings = ltr_env.env_settings()
    assert settings.workspace_dir == '/site-packages' and settings.lasot_dir == ''
    assert sys.modules['ltr.admin.local'].__file__ == str(site / 'local.py')
    assert not ltr_local.exists()  # the file beside the package is neither needed nor created


def test_broken_user_module_names_the_module(ltr_local, monkeypatch):
    module = types.ModuleType('ltr.admin.local')  # no EnvironmentSettings
    monkeypatch.setitem(sys.modules, 'ltr.admin.local', module)
    with pytest.raises(RuntimeError, match=r'ltr\.admin\.local \(registered in sys.modules\) is broken.*'
                                           r'AttributeError'):
        ltr_env.env_settings()
    assert not ltr_local.exists()


def test_user_module_that_fails_to_import_names_the_module(ltr_local, tmp_path, monkeypatch):
    import ltr.admin
    site = tmp_path / 'site'
    site.mkdir()
    (site / 'local.py').write_text('raise ImportError("no settings here")\n')
    monkeypatch.setattr(ltr.admin, '__path__', [str(site)] + list(ltr.admin.__path__))
    with pytest.raises(RuntimeError, match='ltr.admin.local .*site.*failed to import.*no settings here'):
        ltr_env.env_settings()


def test_file_beside_the_package_imported_normally_is_not_a_user_module(ltr_local, monkeypatch):
    # e.g. loading.py's legacy aliases import ltr.admin.local the ordinary way: that is the file, not a user module,
    # so LOCAL_FILE (here a temporary file) is what is read.
    beside = types.ModuleType('ltr.admin.local')
    beside.__file__ = os.path.join(os.path.dirname(ltr_env.__file__), 'local.py')
    beside.EnvironmentSettings = _ltr_module('/beside').EnvironmentSettings
    monkeypatch.setitem(sys.modules, 'ltr.admin.local', beside)
    assert ltr_env.env_settings().workspace_dir != '/beside'
    assert ltr_local.exists()


def test_unwritable_file_falls_back_to_defaults_and_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.delitem(sys.modules, 'ltr.admin.local', raising=False)
    monkeypatch.setattr(ltr_env, 'LOCAL_FILE', str(tmp_path / 'no_such_dir' / 'local.py'))

    def refuse(path, make_text):
        raise PermissionError('read-only')

    import ltr.admin.local_loader as loader
    monkeypatch.setattr(loader, 'create_local_file', refuse)
    monkeypatch.setenv('LTR_GOT10K_DIR', '/env/got')
    settings = ltr_env.env_settings()
    assert settings.got10k_dir == '/env/got' and settings.workspace_dir == ''
    assert 'Could not create' in capsys.readouterr().err


def test_pytracking_user_module_wins_over_the_file(pt_local, monkeypatch):
    pt_env.env_settings()
    assert pt_local.exists()
    module = types.ModuleType('pytracking.evaluation.local')

    def local_env_settings():
        settings = pt_env.EnvSettings()
        settings.network_path = '/nets/'
        return settings

    module.local_env_settings = local_env_settings
    monkeypatch.setitem(sys.modules, 'pytracking.evaluation.local', module)
    settings = pt_env.env_settings()
    assert settings.network_path == '/nets/' and settings.otb_path == ''
    monkeypatch.setenv('PYTRACKING_NETWORK_PATH', '/env/nets/')
    assert pt_env.env_settings().network_path == '/env/nets/'
    monkeypatch.delitem(sys.modules, 'pytracking.evaluation.local')
    monkeypatch.delenv('PYTRACKING_NETWORK_PATH')
    assert pt_env.env_settings().network_path.endswith('networks/')


def test_pytracking_module_found_by_importlib(pt_local, tmp_path, monkeypatch):
    import pytracking.evaluation
    site = tmp_path / 'site'
    site.mkdir()
    (site / 'local.py').write_text('from pytracking.evaluation.environment import EnvSettings\n\n\n'
                                   'def local_env_settings():\n    s = EnvSettings()\n'
                                   "    s.otb_path = '/site/otb'\n    return s\n")
    monkeypatch.setattr(pytracking.evaluation, '__path__', [str(site)] + list(pytracking.evaluation.__path__))
    assert pt_env.env_settings().otb_path == '/site/otb'
    assert not pt_local.exists()


def test_one_shared_loader():
    import ltr.admin.local_loader as loader
    assert ltr_env.load_local_settings is loader.load_local_settings is pt_env.load_local_settings
    assert pt_env.create_local_file is loader.create_local_file
