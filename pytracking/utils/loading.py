"""Load a tracking network by name, resolving relative names against the network path(s) of the env settings."""
import os

import ltr.admin.loading as ltr_loading
from pytracking.evaluation.environment import env_settings


def load_network(net_path, **kwargs):
    """Load the network `net_path` and return only the network (not the checkpoint dict).

    An absolute path (a checkpoint file or a directory holding *.pth.tar, the newest is taken) is loaded as is.
    A relative name is joined to `env_settings().network_path`; if that is a list/tuple, each root is tried in
    turn. The backbone's ImageNet weights are never fetched (`backbone_pretrained=False`): the checkpoint holds
    them.
    """
    if not isinstance(net_path, (str, os.PathLike)):
        raise TypeError('load_network: net_path must be a path or a file name, got {!r}'.format(type(net_path)))
    net_path = os.fspath(net_path)
    kwargs['backbone_pretrained'] = False

    if os.path.isabs(net_path):
        candidates = [net_path]
    else:
        roots = env_settings().network_path
        roots = list(roots) if isinstance(roots, (list, tuple)) else [roots]
        candidates = [os.path.join(str(r), net_path) for r in roots if r]
        if not candidates:
            raise FileNotFoundError('load_network: "{}" is a relative name but the pytracking env setting '
                                    'network_path is empty (set PYTRACKING_NETWORK_PATH or give an absolute path)'
                                    .format(net_path))

    errors = []
    for path_full in candidates:
        if not os.path.exists(path_full):
            errors.append('{}: no such file or directory'.format(path_full))
            continue
        try:
            net, _ = ltr_loading.load_network(path_full, **kwargs)
            return net
        except Exception as e:  # try the next root, but keep the reason
            if len(candidates) == 1:
                raise
            errors.append('{}: {}'.format(path_full, e))
    raise FileNotFoundError('load_network: could not load network "{}". Tried:\n  {}'
                            .format(net_path, '\n  '.join(errors)))
