"""nn.DataParallel wrapper whose attributes fall through to the wrapped network."""
import torch.nn as nn


def is_multi_gpu(net):
    return isinstance(net, (MultiGPU, nn.DataParallel))


# Kept for pytracking API compatibility; not on ATOM's path.
class MultiGPU(nn.DataParallel):
    """DataParallel that forwards unknown attribute look-ups (e.g. net.feature_extractor) to the module."""

    def __getattr__(self, item):
        try:
            return super().__getattr__(item)
        except AttributeError:
            pass
        return getattr(self.module, item)
