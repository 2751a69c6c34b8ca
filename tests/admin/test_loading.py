"""Safe checkpoint loading: pytracking-layout checkpoints load, code-running pickles are refused."""
import collections
import os
import sys
import types

import numpy as np
import pytest
import torch

from ltr.admin import loading
from ltr.admin.model_constructor import NetConstructor
from ltr.admin.stats import AverageMeter


class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):  # unpickling this calls os.system
        return os.system, (f'touch {self.marker}',)


def _legacy_classes(monkeypatch):
    """Classes living under pytracking-era module paths (dlframework.*, ltr.admin.local), as in old checkpoints."""
    made = {}
    for parent in ('dlframework', 'dlframework.common', 'dlframework.common.utils'):
        monkeypatch.setitem(sys.modules, parent, types.ModuleType(parent))
    for mod_name, cls_name, attrs in [('dlframework.common.utils.model_constructor', 'NetConstructor', {}),
                                      ('dlframework.common.utils.stats', 'AverageMeter', {}),
                                      ('ltr.admin.local', 'EnvironmentSettings', {}),
                                      ('dlframework.common.utils.settings', 'Settings', {})]:
        module = types.ModuleType(mod_name)
        cls = type(cls_name, (), dict(attrs))
        cls.__module__ = mod_name
        setattr(module, cls_name, cls)
        monkeypatch.setitem(sys.modules, mod_name, module)
        made[cls_name] = cls
    return made


def _pytracking_layout_checkpoint(path, monkeypatch, fun_module='dlframework.ltr.models.bbreg.atom'):
    from ltr.models.bbreg.atom import atom_resnet18
    net = atom_resnet18(backbone_pretrained=False)
    cls = _legacy_classes(monkeypatch)
    constr = cls['NetConstructor']()
    constr.__dict__.update(fun_name='atom_resnet18', fun_module=fun_module, args=(),
                           kwds={'backbone_pretrained': True})
    meter = cls['AverageMeter']()
    meter.__dict__.update(avg=0.5, val=0.4, sum=2.0, count=4, history=[np.float64(0.7)], has_new_data=True)
    env = cls['EnvironmentSettings']()
    env.__dict__.update(workspace_dir='/somewhere', lasot_dir='/data/lasot')
    settings = cls['Settings']()
    settings.__dict__.update(env=env, use_gpu=True, batch_size=64, normalize_mean=[0.485, 0.456, 0.406])
    ckpt = {'epoch': 50, 'actor_type': 'AtomActor', 'net_type': 'ATOMnet', 'net': net.state_dict(),
            'net_info': None, 'constructor': constr, 'optimizer': {'state': {}, 'param_groups': []},
            'stats': collections.OrderedDict(train=collections.OrderedDict({'Loss/total': meter})),
            'settings': settings}
    torch.save(ckpt, path)
    for name in ('dlframework.common.utils.model_constructor', 'dlframework.common.utils.stats',
                 'ltr.admin.local', 'dlframework.common.utils.settings', 'dlframework.common.utils',
                 'dlframework.common', 'dlframework'):
        monkeypatch.delitem(sys.modules, name)  # loading must not need them
    return net


def test_pytracking_layout_checkpoint_loads_strictly(tmp_path, monkeypatch):
    path = str(tmp_path / 'ATOMnet_ep0050.pth.tar')
    original = _pytracking_layout_checkpoint(path, monkeypatch)
    # directory: takes the last *.pth.tar; no ImageNet download (as pytracking.utils.loading does)
    net, ckpt = loading.load_network(str(tmp_path), backbone_pretrained=False)
    assert ckpt['epoch'] == 50 and ckpt['net_type'] == 'ATOMnet'
    assert isinstance(ckpt['stats']['train']['Loss/total'], AverageMeter)
    assert ckpt['stats']['train']['Loss/total'].avg == 0.5
    assert ckpt['settings'].env.lasot_dir == '/data/lasot'
    assert isinstance(net.constructor, NetConstructor) and net.constructor.fun_module == 'ltr.models.bbreg.atom'
    ref = original.state_dict()
    got = net.state_dict()
    assert list(got) == list(ref)
    assert all(torch.equal(got[k], ref[k]) for k in ref)


def test_kwargs_override_constructor_and_unknown_are_ignored(tmp_path, monkeypatch):
    path = str(tmp_path / 'ATOMnet_ep0003.pth.tar')
    _pytracking_layout_checkpoint(path, monkeypatch)
    with pytest.warns(UserWarning, match='not_an_arg'):
        net, _ = loading.load_network(str(tmp_path), checkpoint=3, backbone_pretrained=False, not_an_arg=1)
    assert net.constructor.kwds['backbone_pretrained'] is False


def test_code_running_pickle_is_refused(tmp_path):
    marker = tmp_path / 'PWNED'
    path = tmp_path / 'evil.pth.tar'
    torch.save({'net': {}, 'constructor': None, 'payload': _Payload(str(marker))}, path)
    with pytest.raises(loading.UnsafeCheckpointError, match='evil.pth.tar.*system'):
        loading.torch_load_legacy(str(path))
    assert not marker.exists()


def test_unsafe_opt_in_loads_arbitrary_pickles(tmp_path):
    marker = tmp_path / 'RAN'
    path = tmp_path / 'trusted.pth'
    torch.save({'payload': _Payload(str(marker))}, path)
    loading.torch_load_legacy(str(path), unsafe=True)
    assert marker.exists()


def test_constructor_outside_ltr_is_not_followed(tmp_path):
    path = tmp_path / 'x_ep0001.pth.tar'
    torch.save({'net': {}, 'constructor': NetConstructor('system', 'os', ('true',), {})}, path)
    with pytest.raises(loading.UnsafeCheckpointError, match="'os' is outside ltr"):
        loading.load_network(str(path))


def test_checkpoint_selection_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='No matching checkpoint'):
        loading.load_network(str(tmp_path))
    with pytest.raises(FileNotFoundError, match='epoch 7'):
        loading.load_network(str(tmp_path), checkpoint=7)
    with pytest.raises(FileNotFoundError, match='not found'):
        loading.torch_load_legacy(str(tmp_path / 'nope.pth'))
