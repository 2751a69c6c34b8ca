"""Loading networks and checkpoints, safely.

pytracking unpickles whole checkpoints (`torch.load` of `NetConstructor`, `Settings`, the user's
`EnvironmentSettings`, stats objects), which executes whatever a checkpoint file names. Here loading uses
`torch.load(weights_only=True)` with an allow-list:

* `NetConstructor`, `AverageMeter`, `StatValue` and `Settings` under their `ltr.admin.*` paths and the legacy
  `dlframework.common.utils.*` paths map to our (pure data) classes;
* any other class under `ltr.*`, `pytracking.*` or `dlframework.*` (e.g. the user's
  `ltr.admin.local.EnvironmentSettings`) maps to `PickledObject`, an inert record of its attributes;
* numpy scalars/arrays (which stats may hold) are allowed;
* everything else (e.g. `os.system`, `builtins.eval`) is refused with `UnsafeCheckpointError`.

A truncated or corrupt file (a copy cut short, a bit flip in a tensor, random bytes) raises `DamagedCheckpointError`
naming the file, instead of torch's zip-reader or unpickler message: zip checkpoints are checked against the
CRC-32 of every member before loading (a full read of the file, ~0.1 s per 100 MB), legacy (pre-zip) files by the
unpickler itself.

`NetConstructor.get()` imports a module and calls a function named in the checkpoint, so `load_network` only
follows constructors in `ltr.*` modules unless `unsafe=True`. `unsafe=True` (or env `LTR_UNSAFE_LOAD=1`) loads
arbitrary pickles like pytracking did: only for files you trust.
"""
import glob
import inspect
import os
import pickle
import re
import sys
import warnings
import zipfile

import numpy as np
import torch

from ltr.admin.model_constructor import NetConstructor
from ltr.admin.settings import Settings
from ltr.admin.stats import AverageMeter, StatValue

_LEGACY_PREFIXES = ('ltr.', 'pytracking.', 'dlframework.')
_KNOWN_CLASSES = {'model_constructor.NetConstructor': NetConstructor, 'stats.AverageMeter': AverageMeter,
                  'stats.StatValue': StatValue, 'settings.Settings': Settings}
_KNOWN_MODULE_ROOTS = ('ltr.admin.', 'dlframework.common.utils.', 'dlframework.common.')
_UNSUPPORTED_GLOBAL = re.compile(r'GLOBAL ([\w.]+) was not an allowed global')
_ANY_GLOBAL = re.compile(r'GLOBAL ([\w.]+)')


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint refers to code that safe loading does not allow."""


class DamagedCheckpointError(RuntimeError):
    """A checkpoint file is truncated or corrupt (it cannot be read as a torch checkpoint)."""

    def __init__(self, path, problem):
        super().__init__(f'Checkpoint {path} is damaged ({problem}); it cannot be loaded. Copy or save it again, '
                         f'or use an earlier checkpoint.')
        self.path = path


_ZIP_MAGIC = b'PK\x03\x04'
_PICKLE_PROTO = b'\x80'


def check_checkpoint_file(path):
    """Raise DamagedCheckpointError unless `path` looks like an intact torch checkpoint: a zip archive whose members
    all pass their CRC-32 check, or a legacy torch file (a pickle stream, checked while it is unpickled)."""
    size = os.path.getsize(path)
    with open(path, 'rb') as f:
        head = f.read(4)
    if size == 0:
        raise DamagedCheckpointError(path, 'the file is empty')
    if head == _ZIP_MAGIC:
        if not zipfile.is_zipfile(path):
            raise DamagedCheckpointError(path, f'truncated: a zip archive of {size} bytes without its central '
                                               f'directory')
        try:
            with zipfile.ZipFile(path) as z:
                bad = z.testzip()
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as e:
            raise DamagedCheckpointError(path, f'unreadable zip archive: {e}') from None
        if bad is not None:
            raise DamagedCheckpointError(path, f'member {bad} fails its CRC check: the data is corrupt')
    elif not head.startswith(_PICKLE_PROTO):
        raise DamagedCheckpointError(path, f'not a torch checkpoint: it starts with the bytes {head!r}')


class PickledObject:
    """Inert stand-in for a pickled project object (e.g. `EnvironmentSettings`): attributes only, no code."""

    def __init__(self, *args, **kwargs):
        self._init_args = args

    def __setstate__(self, state):
        if isinstance(state, dict):
            self.__dict__.update(state)
        else:
            self._state = state

    def __repr__(self):
        return f'PickledObject({self.__dict__!r})'


def _known_class(path):
    for root in _KNOWN_MODULE_ROOTS:
        if path.startswith(root) and path[len(root):] in _KNOWN_CLASSES:
            return _KNOWN_CLASSES[path[len(root):]]
    return None


def _numpy_globals():
    """numpy arrays, scalars and dtypes (stats and settings may hold them) under both numpy 1 and 2 paths."""
    core = getattr(np, '_core', None) or np.core
    out = [np.dtype, np.ndarray, core.multiarray.scalar, core.multiarray._reconstruct]
    out += [(core.multiarray.scalar, f'numpy.{m}.multiarray.scalar') for m in ('core', '_core')]
    out += [(core.multiarray._reconstruct, f'numpy.{m}.multiarray._reconstruct') for m in ('core', '_core')]
    out += [type(np.dtype(t)) for t in ('float64', 'float32', 'int64', 'int32', 'bool')]
    return out


def _safe_torch_load(path, map_location='cpu', max_classes=64):
    """`torch.load(weights_only=True)`, allowing project classes (as data) found in the file one by one."""
    allowed = _numpy_globals()
    for _ in range(max_classes):
        try:
            with torch.serialization.safe_globals(allowed):
                return torch.load(path, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as e:
            match = _UNSUPPORTED_GLOBAL.search(str(e))
            name = match.group(1) if match else None
            if name is None and not _ANY_GLOBAL.search(str(e)):
                # No class named: the stream itself is broken (truncated, an unknown opcode), not unsafe.
                detail = re.search(r'WeightsUnpickler error:\s*(.*?)\s*(\n|$)', str(e))
                raise DamagedCheckpointError(path, detail.group(1) if detail else 'unreadable pickle data') \
                    from None
            if name is None or not name.startswith(_LEGACY_PREFIXES):
                other = _ANY_GLOBAL.search(str(e))
                what = name or (other.group(1) if other else 'an object type it cannot check')
                raise UnsafeCheckpointError(
                    f'Refused to load {path}: it refers to {what}, which safe loading does not allow (it could run '
                    f'code). If you trust this file, load it with unsafe=True (or set LTR_UNSAFE_LOAD=1).') from None
            allowed.append((_known_class(name) or PickledObject, name))
    raise UnsafeCheckpointError(f'Refused to load {path}: it refers to too many classes.')


class _LegacyModuleAliases:
    """For unsafe loading of pytracking-era checkpoints pickled under `dlframework.*` module paths."""
    ALIASES = {'dlframework': 'ltr', 'dlframework.common': 'ltr', 'dlframework.common.utils': 'ltr.admin',
               'dlframework.common.utils.model_constructor': 'ltr.admin.model_constructor',
               'dlframework.common.utils.stats': 'ltr.admin.stats',
               'dlframework.common.utils.settings': 'ltr.admin.settings',
               'dlframework.common.utils.local': 'ltr.admin.local'}

    def __enter__(self):
        import importlib
        self.added = []
        for alias, target in self.ALIASES.items():
            if alias not in sys.modules:
                try:
                    sys.modules[alias] = importlib.import_module(target)
                    self.added.append(alias)
                except ImportError:
                    pass
        return self

    def __exit__(self, *exc):
        for alias in self.added:
            del sys.modules[alias]


def torch_load_legacy(path, unsafe=False):
    """Load a checkpoint on the CPU. Safe by default (see module docstring); `unsafe=True` unpickles anything."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'Checkpoint file not found: {path}')
    check_checkpoint_file(path)
    try:
        if unsafe or os.environ.get('LTR_UNSAFE_LOAD') == '1':
            with _LegacyModuleAliases():
                return torch.load(path, map_location='cpu', weights_only=False)
        return _safe_torch_load(path)
    except (UnsafeCheckpointError, DamagedCheckpointError):
        raise
    except (EOFError, pickle.UnpicklingError, zipfile.BadZipFile) as e:
        raise DamagedCheckpointError(path, f'{type(e).__name__}: {e}' if str(e) else 'the data ends early') \
            from None
    except (RuntimeError, KeyError, ValueError) as e:
        # torch's zip reader (RuntimeError) and the unpickler of a garbled stream (KeyError, ValueError).
        if isinstance(e, RuntimeError) and 'PytorchStreamReader' not in str(e) and 'zip archive' not in str(e):
            raise
        raise DamagedCheckpointError(path, f'{type(e).__name__}: {str(e).splitlines()[0] if str(e) else e!r}') \
            from None


def _constructor_from_checkpoint(checkpoint_dict, path):
    constr = checkpoint_dict.get('constructor') if isinstance(checkpoint_dict, dict) else None
    if constr is None:
        raise RuntimeError(f'No constructor for the given network ({path} has no "constructor" entry).')
    if isinstance(constr, dict):  # a constructor stored as plain data
        constr = NetConstructor(constr['fun_name'], constr['fun_module'], tuple(constr.get('args', ())),
                                dict(constr.get('kwds', {})))
    elif not isinstance(constr, NetConstructor):  # e.g. a PickledObject with the same attributes
        constr = NetConstructor(constr.fun_name, constr.fun_module, tuple(constr.args), dict(constr.kwds))
    return constr


def _select_checkpoint(network_dir, checkpoint):
    if network_dir is not None and os.path.isfile(network_dir):
        return network_dir
    if checkpoint is None or isinstance(checkpoint, int):
        if network_dir is None or not os.path.isdir(network_dir):
            raise FileNotFoundError(f'Network directory not found: {network_dir}')
        if checkpoint is None:
            files = sorted(glob.glob(os.path.join(network_dir, '*.pth.tar')))
            if not files:
                raise FileNotFoundError(f'No matching checkpoint file (*.pth.tar) found in {network_dir}')
            return files[-1]
        files = glob.glob(os.path.join(network_dir, f'*_ep{checkpoint:04d}.pth.tar'))
        if len(files) != 1:
            raise FileNotFoundError(f'Expected exactly one checkpoint for epoch {checkpoint} in {network_dir}, '
                                    f'found {len(files)}.')
        return files[0]
    if isinstance(checkpoint, str):
        return os.path.expanduser(checkpoint)
    raise TypeError(f'checkpoint must be None, an epoch number or a path, got {type(checkpoint).__name__}')


def load_network(network_dir=None, checkpoint=None, constructor_fun_name=None, constructor_module=None, **kwargs):
    """Rebuild a network from a checkpoint and load its weights (strict). Returns `(net, checkpoint_dict)`.

    `network_dir` is a checkpoint file, or a directory (`checkpoint`: None = the last `*.pth.tar` in sorted
    order, an int = that epoch, a str = a path). Keyword arguments that the constructor function accepts
    replace the stored ones; others are ignored with a warning. Safe unless `unsafe=True` (module docstring;
    taken from `kwargs` so the signature stays pytracking's).
    """
    unsafe = bool(kwargs.pop('unsafe', False))
    checkpoint_path = _select_checkpoint(network_dir, checkpoint)
    checkpoint_dict = torch_load_legacy(checkpoint_path, unsafe=unsafe)
    net_constr = _constructor_from_checkpoint(checkpoint_dict, checkpoint_path)
    if constructor_fun_name is not None:
        net_constr.fun_name = constructor_fun_name
    if constructor_module is not None:
        net_constr.fun_module = constructor_module
    if net_constr.fun_module.startswith('dlframework.'):  # legacy module path of pytracking's first releases
        net_constr.fun_module = net_constr.fun_module[len('dlframework.'):]
    if not (unsafe or net_constr.fun_module.startswith('ltr.')):
        raise UnsafeCheckpointError(f'{checkpoint_path}: constructor module {net_constr.fun_module!r} is outside '
                                    f'ltr.*; pass unsafe=True if you trust this checkpoint.')
    net_fun = getattr(__import__(net_constr.fun_module, fromlist=[net_constr.fun_name]), net_constr.fun_name)
    net_fun_args = list(inspect.signature(inspect.unwrap(net_fun)).parameters.keys())
    for arg, val in kwargs.items():
        if arg in net_fun_args:
            net_constr.kwds[arg] = val
        else:
            warnings.warn(f'Argument {arg!r} not found in {net_constr.fun_name}; ignored.', stacklevel=2)
    net = net_constr.get()
    net.load_state_dict(checkpoint_dict['net'])
    net.constructor = checkpoint_dict['constructor'] if isinstance(checkpoint_dict['constructor'], NetConstructor) \
        else net_constr
    if checkpoint_dict.get('net_info') is not None:
        net.info = checkpoint_dict['net_info']
    return net, checkpoint_dict


# Kept for pytracking API compatibility; not on ATOM's path.
def load_weights(net, path, strict=True, unsafe=False):
    """Load the `net` state dict of the checkpoint at `path` into `net`."""
    checkpoint_dict = torch_load_legacy(path, unsafe=unsafe)
    weight_dict = checkpoint_dict['net'] if 'net' in checkpoint_dict else checkpoint_dict
    net.load_state_dict(weight_dict, strict=strict)
    return net


# Kept for pytracking API compatibility; not on ATOM's path.
def load_pretrained(module, name, checkpoint=None, **kwargs):
    """Load a network trained by `run_training.py module name` from the workspace's checkpoint folder."""
    from ltr.admin.environment import env_settings
    settings = env_settings()
    network_dir = os.path.join(settings.workspace_dir or '.', 'checkpoints', 'ltr', module, name)
    return load_network(network_dir=network_dir, checkpoint=checkpoint, **kwargs)


# Kept for pytracking API compatibility; not on ATOM's path.
def load_trained_network(workspace_dir, network_path, checkpoint=None):
    """Outdated in pytracking too; kept for API compatibility. Use `load_network`."""
    checkpoint_dir = os.path.join(workspace_dir, 'checkpoints')
    directory = os.path.join(checkpoint_dir, network_path)
    net, _ = load_network(directory, checkpoint)
    return net
