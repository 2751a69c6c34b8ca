"""Batch norm folded into the convolution before it, for the forward pass of a frozen network.

A frozen backbone in eval mode applies each BatchNorm2d as a fixed per-channel scale and shift; folded into the
preceding convolution's weights and bias, the same function (up to float rounding) costs one memory pass less per
layer. On MobileNetV2 on the CPU the BN passes took ~30 % of the frozen backbone's time in the atom_demo training
step. The network's own modules (and so its state dict and checkpoints) are left as they are: the folded network is
a separate copy used only for the forward pass.
"""
import collections
import copy
import hashlib
import warnings

import torch
import torch.nn as nn
from torch.nn.utils.fusion import fuse_conv_bn_eval


def fold_batch_norm(module):
    """A copy of `module` in eval mode in which every BatchNorm2d that directly follows a Conv2d of the same width
    inside an nn.Sequential (torchvision's Conv2dNormActivation and MobileNetV2 blocks, ltr's conv+BN+ReLU blocks)
    is folded into that convolution and replaced by nn.Identity. Parameters of the copy need no gradient."""
    folded = copy.deepcopy(module).eval()
    for seq in [m for m in folded.modules() if isinstance(m, nn.Sequential)]:
        names = list(seq._modules)
        for first, second in zip(names, names[1:]):
            conv, bn = seq._modules[first], seq._modules[second]
            if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d) and conv.out_channels == bn.num_features:
                seq._modules[first] = fuse_conv_bn_eval(conv, bn)
                seq._modules[second] = nn.Identity()
    for p in folded.parameters():
        p.requires_grad_(False)
    return folded


class _LayersForward(nn.Module):
    """`module(x, layers)` with the layers fixed, so torch.jit.trace sees a one-argument forward."""

    def __init__(self, module, layers):
        super().__init__()
        self.module = module
        self.layers = layers

    def forward(self, x):
        return self.module(x, self.layers)


def optimize_for_inference(module, layers, example):
    """`module(x, layers)` as a frozen TorchScript graph run through torch.jit.optimize_for_inference: oneDNN
    convolutions with pre-packed weights and the activation (ReLU / ReLU6) fused into them. On MobileNetV2 on the
    CPU about 30 % faster than the eager folded network (224x224 crop, 2 threads: 8.2 -> 5.7 ms; 30 crops at once
    2.5x faster; on ResNet-18 no gain); the same function up to float rounding. Traced on `example` (a few pixels
    suffice), the graph serves any batch and image size (convolutions only). TorchScript is deprecated in favour
    of torch.compile, which took 5-15 s to compile here and ran slower; the trace's deprecation warnings are
    silenced. Tracing costs ~0.5 s, so FoldedFrozenForward keeps the graphs of recently used weights."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', FutureWarning)
        warnings.simplefilter('ignore', UserWarning)
        with torch.no_grad():
            traced = torch.jit.trace(_LayersForward(module, list(layers)).eval(), example, strict=False,
                                     check_trace=False)
            graph = torch.jit.optimize_for_inference(torch.jit.freeze(traced))
            for _ in range(2):   # TorchScript's profiling executor optimises the graph at its second run
                graph(example)
    return graph


def weights_fingerprint(module):
    """blake2b digest of the module's class and its parameters and buffers (names, dtypes, shapes, values)."""
    h = hashlib.blake2b(digest_size=16)
    h.update('{}.{}'.format(type(module).__module__, type(module).__qualname__).encode())
    for name, t in list(module.named_parameters()) + list(module.named_buffers()):
        h.update('{}:{}:{}'.format(name, t.dtype, tuple(t.shape)).encode())
        h.update(t.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


# Graphs by (weights fingerprint, layers, memory format, device, dtype): a tracker loads its network again for
# every sequence, and the same weights need not be traced again. A few entries (one per network and layer set).
_GRAPHS = collections.OrderedDict()
_GRAPHS_KEPT = 8


class FoldedFrozenForward:
    """Calls a frozen feature extractor `module(im, layers)` through its BN-folded copy (`fold_batch_norm`), in the
    given memory format. The copy is made at the first call and made again whenever the module's parameters or
    buffers change (loaded checkpoint, moved to another device or dtype). Not an nn.Module on purpose: assigned to
    a network, it adds nothing to its state dict. Only for frozen modules (no gradient flows into them).
    optimize_for_inference (ours, default False): run the folded copy as an optimised TorchScript graph (see
    `optimize_for_inference`), one per set of requested layers, traced at the first call with those layers (and
    shared by every FoldedFrozenForward of the same weights: `_GRAPHS`); when tracing fails, warns once and stays
    with the eager copy."""

    def __init__(self, module, default_layers=None, memory_format=torch.channels_last, optimize_for_inference=False):
        self.module = module
        self.default_layers = default_layers
        self.memory_format = memory_format
        self.optimize_for_inference = optimize_for_inference
        self._folded = None
        self._fingerprint = None
        self._key = None
        self._ends = None

    def _state_key(self):
        # Cheap (this runs at every call): load_state_dict writes every tensor in place and .to() replaces every
        # one, so the first and the last tensor show any such change.
        if self._ends is None:
            tensors = list(self.module.parameters()) + list(self.module.buffers())
            self._ends = (tensors[0], tensors[-1])
        return tuple((t.device, t.dtype, t._version, t.data_ptr()) for t in self._ends)

    def folded(self):
        key = self._state_key()
        if self._folded is None or key != self._key:
            self._folded = fold_batch_norm(self.module).to(memory_format=self.memory_format)
            self._fingerprint = None
            self._key = key
        return self._folded

    def _graph(self, folded, layers, im):
        if self._fingerprint is None:
            self._fingerprint = weights_fingerprint(self.module)
        key = (self._fingerprint, tuple(layers) if layers is not None else None, self.memory_format,
               im.device, im.dtype)
        if key not in _GRAPHS:
            example = im[:1, :, :64, :64]
            try:
                _GRAPHS[key] = optimize_for_inference(folded, layers, example)
            except Exception as e:  # an op TorchScript cannot trace: the eager copy computes the same
                warnings.warn('FoldedFrozenForward: optimize_for_inference failed ({}: {}); running the eager '
                              'folded network'.format(type(e).__name__, e), stacklevel=2)
                self.optimize_for_inference = False
                return None
            while len(_GRAPHS) > _GRAPHS_KEPT:
                _GRAPHS.popitem(last=False)
        _GRAPHS.move_to_end(key)
        return _GRAPHS[key]

    def __call__(self, im, layers=None):
        if self.module.training and any(m.training for m in self.module.modules()
                                        if isinstance(m, nn.modules.batchnorm._BatchNorm)):
            raise RuntimeError('FoldedFrozenForward: the module has batch norm layers in training mode; it is only '
                               'for frozen (eval-mode) feature extractors')
        layers = self.default_layers if layers is None else layers
        im = im.contiguous(memory_format=self.memory_format)
        with torch.no_grad():
            folded = self.folded()
            graph = self._graph(folded, layers, im) if self.optimize_for_inference else None
            return dict(graph(im)) if graph is not None else folded(im, layers)
