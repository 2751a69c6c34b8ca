"""Damaged and malicious checkpoints, and no shell anywhere.

A code-running pickle inside a torch checkpoint is refused with no side effect in
tests/admin/test_loading.py::test_code_running_pickle_is_refused (kept); here also as a bare pickle and inside a
checkpoint whose other content is valid, through every loading entry point."""
import ast
import glob
import os
import pickle

import pytest
import torch

from faults_helpers import REPO
from ltr.admin import loading
from ltr.admin.loading import DamagedCheckpointError, UnsafeCheckpointError


@pytest.fixture(scope='module')
def checkpoint_bytes(tmp_path_factory):
    """A real network checkpoint (a small IoU-Net-like module) as written by torch.save (zip format)."""
    path = tmp_path_factory.mktemp('ckpt') / 'net.pth.tar'
    torch.save({'net': {'w': torch.arange(4096, dtype=torch.float32)}, 'epoch': 3, 'constructor': None}, path)
    return path.read_bytes()


def _flip_tensor_bytes(data):
    i = data.index(b'data/0') + 200      # inside the first tensor's payload
    return data[:i] + bytes(b ^ 0xFF for b in data[i:i + 8]) + data[i + 8:]


DAMAGES = {
    'truncated to half': lambda d: d[:len(d) // 2],
    'truncated to 10 bytes': lambda d: d[:10],
    'last byte missing': lambda d: d[:-1],
    'empty': lambda d: b'',
    'random bytes': lambda d: bytes((i * 37 + 11) % 256 for i in range(2000)),
    'a text file': lambda d: b'<html>404 Not Found</html>\n',
    'bits flipped in a tensor': _flip_tensor_bytes,
}


@pytest.mark.parametrize('damage', list(DAMAGES))
@pytest.mark.parametrize('unsafe', [False, True])
def test_damaged_checkpoint_names_the_file(tmp_path, checkpoint_bytes, damage, unsafe):
    path = tmp_path / 'atom_default.pth'
    path.write_bytes(DAMAGES[damage](checkpoint_bytes))
    with pytest.raises(DamagedCheckpointError) as err:
        loading.torch_load_legacy(str(path), unsafe=unsafe)
    assert str(path) in str(err.value) and 'is damaged' in str(err.value)
    assert err.value.path == str(path)
    assert isinstance(err.value, RuntimeError)   # callers catching torch's RuntimeError still catch it


def test_damaged_legacy_format_checkpoint_names_the_file(tmp_path):
    path = tmp_path / 'old.pth'
    torch.save({'net': {'w': torch.zeros(100)}}, path, _use_new_zipfile_serialization=False)
    assert loading.torch_load_legacy(str(path))['net']['w'].shape == (100,)
    path.write_bytes(path.read_bytes()[:200])
    for unsafe in (False, True):
        with pytest.raises(DamagedCheckpointError, match='old.pth is damaged'):
            loading.torch_load_legacy(str(path), unsafe=unsafe)


def test_every_entry_point_reports_the_damaged_file(tmp_path, checkpoint_bytes, monkeypatch):
    from pytracking.utils.loading import load_network as pytracking_load_network
    path = tmp_path / 'nets' / 'ATOMnet_ep0001.pth.tar'
    path.parent.mkdir()
    path.write_bytes(checkpoint_bytes[:1000])
    for call in (lambda: loading.load_network(str(path)),
                 lambda: loading.load_network(str(path.parent)),
                 lambda: loading.load_weights(torch.nn.Linear(1, 1), str(path)),
                 lambda: pytracking_load_network(str(path))):
        with pytest.raises(DamagedCheckpointError, match='ATOMnet_ep0001.pth.tar is damaged'):
            call()
    monkeypatch.setenv('PYTRACKING_NETWORK_PATH', str(path.parent))
    with pytest.raises(DamagedCheckpointError, match='ATOMnet_ep0001.pth.tar is damaged'):
        pytracking_load_network('ATOMnet_ep0001.pth.tar')


class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, ('touch {}'.format(self.marker),)


def test_malicious_pickles_are_refused_without_side_effect(tmp_path):
    marker = tmp_path / 'PWNED'
    bare = tmp_path / 'bare.pth'
    bare.write_bytes(pickle.dumps({'net': {}, 'x': _Payload(marker)}, protocol=2))
    old_protocol = tmp_path / 'proto0.pth'
    old_protocol.write_bytes(pickle.dumps(_Payload(marker), protocol=0))
    inside = tmp_path / 'inside.pth.tar'
    torch.save({'net': {'w': torch.zeros(3)}, 'epoch': 1, 'constructor': None, 'stats': _Payload(marker)}, inside)
    for path in (bare, old_protocol, inside):
        with pytest.raises((UnsafeCheckpointError, DamagedCheckpointError), match=path.name):
            loading.torch_load_legacy(str(path))
        with pytest.raises((UnsafeCheckpointError, DamagedCheckpointError), match=path.name):
            loading.load_network(str(path))
    assert not marker.exists()


def _py_files():
    for top in ('ltr', 'pytracking', 'benchmarks'):
        yield from glob.glob(os.path.join(REPO, top, '**', '*.py'), recursive=True)
    yield os.path.join(REPO, 'setup.py')


def test_no_shell_is_ever_used():
    """Settings and CLI paths can hold anything (spaces, `;`, `$(...)`): no code may hand a string to a shell."""
    offenders = []
    shell_calls = {('os', 'system'), ('os', 'popen'), ('os', 'spawnlp'), ('commands', 'getoutput'),
                   ('subprocess', 'getoutput'), ('subprocess', 'getstatusoutput')}
    for path in _py_files():
        with open(path) as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            fn = node.func
            name = (fn.value.id, fn.attr) if isinstance(fn, ast.Attribute) and isinstance(fn.value, ast.Name) \
                else None
            if name in shell_calls:
                offenders.append('{}:{} {}.{}'.format(path, node.lineno, *name))
            for kw in node.keywords:
                if kw.arg == 'shell' and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    offenders.append('{}:{} shell={}'.format(path, node.lineno, ast.unparse(kw.value)))
    assert not offenders, offenders
