"""ResNet backbones that return the requested intermediate layers in an OrderedDict.

Parameter names equal torchvision's resnet (conv1, bn1, layer1..4, fc), so torchvision's ImageNet weights
and pytracking checkpoints load strictly.
"""
import math
import os
from collections import OrderedDict

import torch
import torch.nn as nn

from ..layers.max_pool import MaxPool2d
from .base import Backbone


def conv3x3(in_planes, out_planes, stride=1, dilation=1):
    """3x3 convolution whose padding keeps the size (for stride 1) at any dilation."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, bias=False,
                     dilation=dilation)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, dilation=1, use_bn=True):
        super().__init__()
        self.use_bn = use_bn
        self.conv1 = conv3x3(inplanes, planes, stride, dilation=dilation)
        if use_bn:
            self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes, dilation=dilation)
        if use_bn:
            self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        residual = x if self.downsample is None else self.downsample(x)
        out = self.conv1(x)
        if self.use_bn:
            out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        if self.use_bn:
            out = self.bn2(out)
        return self.relu(out + residual)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, dilation=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=dilation, bias=False,
                               dilation=dilation)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        residual = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + residual)


class ResNet(Backbone):
    """ResNet that outputs the layers named in output_layers ('conv1', 'layer1'..'layer4', 'fc', or
    ['default'] for the classification logits). dilation_factor (1, 2, 4 or 8) replaces the strides of the
    last layers by dilation."""

    def __init__(self, block, layers, output_layers, num_classes=1000, inplanes=64, dilation_factor=1,
                 frozen_layers=()):
        self.inplanes = inplanes
        super().__init__(frozen_layers=frozen_layers)
        self.output_layers = output_layers
        self.conv1 = nn.Conv2d(3, inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.relu = nn.ReLU(inplace=True)
        # Ours: nn.MaxPool2d with a faster CPU inference path giving the same maxima (layers/max_pool.py).
        self.maxpool = MaxPool2d(kernel_size=3, stride=2, padding=1)
        # Layer l keeps stride 2 unless the dilation factor already covers it (then it dilates instead).
        stride = [1 + (dilation_factor < l) for l in (8, 4, 2)]
        self.layer1 = self._make_layer(block, inplanes, layers[0], dilation=max(dilation_factor // 8, 1))
        self.layer2 = self._make_layer(block, inplanes * 2, layers[1], stride=stride[0],
                                       dilation=max(dilation_factor // 4, 1))
        self.layer3 = self._make_layer(block, inplanes * 4, layers[2], stride=stride[1],
                                       dilation=max(dilation_factor // 2, 1))
        self.layer4 = self._make_layer(block, inplanes * 8, layers[3], stride=stride[2], dilation=dilation_factor)

        out_feature_strides = {'conv1': 4, 'layer1': 4, 'layer2': 4 * stride[0],
                               'layer3': 4 * stride[0] * stride[1],
                               'layer4': 4 * stride[0] * stride[1] * stride[2]}
        # pytracking reports conv1 as stride 4 although its output has stride 2; kept for compatibility.
        if isinstance(self.layer1[0], BasicBlock):
            out_feature_channels = {'conv1': inplanes, 'layer1': inplanes, 'layer2': inplanes * 2,
                                    'layer3': inplanes * 4, 'layer4': inplanes * 8}
        else:
            out_feature_channels = {'conv1': inplanes, 'layer1': inplanes * 4, 'layer2': inplanes * 8,
                                    'layer3': inplanes * 16, 'layer4': inplanes * 32}
        self._out_feature_strides = out_feature_strides
        self._out_feature_channels = out_feature_channels

        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(inplanes * 8 * block.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                m.weight.data.normal_(0, math.sqrt(2. / n))
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.data.fill_(1)
                m.bias.data.zero_()

    def out_feature_strides(self, layer=None):
        if layer is None:
            return self._out_feature_strides
        return self._out_feature_strides[layer]

    def out_feature_channels(self, layer=None):
        if layer is None:
            return self._out_feature_channels
        return self._out_feature_channels[layer]

    def _make_layer(self, block, planes, blocks, stride=1, dilation=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block.expansion, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers = [block(self.inplanes, planes, stride, downsample, dilation=dilation)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, dilation=dilation))
        return nn.Sequential(*layers)

    @staticmethod
    def _add_output_and_check(name, x, outputs, output_layers):
        if name in output_layers:
            outputs[name] = x
        return len(output_layers) == len(outputs)

    def forward(self, x, output_layers=None):
        """Run the network up to the last requested layer and return an OrderedDict name -> feature."""
        outputs = OrderedDict()
        if output_layers is None:
            output_layers = self.output_layers
        known = ('conv1', 'layer1', 'layer2', 'layer3', 'layer4', 'fc', 'default')
        unknown = [name for name in output_layers if name not in known]
        if unknown:
            raise ValueError('ResNet.forward: unknown output_layers {}; valid names are {}'.format(unknown, known))

        x = self.relu(self.bn1(self.conv1(x)))
        if self._add_output_and_check('conv1', x, outputs, output_layers):
            return outputs
        x = self.maxpool(x)
        for name in ('layer1', 'layer2', 'layer3', 'layer4'):
            x = getattr(self, name)(x)
            if self._add_output_and_check(name, x, outputs, output_layers):
                return outputs
        x = self.avgpool(x)
        x = x.view(x.size(0), -1)
        x = self.fc(x)
        if self._add_output_and_check('fc', x, outputs, output_layers):
            return outputs
        if len(output_layers) == 1 and output_layers[0] == 'default':
            return x
        raise ValueError('ResNet.forward: output_layers {} is wrong.'.format(output_layers))


class PretrainedWeightsUnavailableError(RuntimeError):
    """ImageNet weights were requested but are neither cached locally nor downloadable."""


def _load_torchvision_imagenet_weights(model, weights_name, weights_path=None):
    """Load torchvision's ImageNet weights (the same files pytracking used through the removed
    `model_urls`) from `weights_path` when given (a torchvision-layout state dict, e.g. a copy of the file), else
    from the torch hub cache, downloading them if possible, else fail with a clear message."""
    if weights_path is not None:
        if not os.path.isfile(weights_path):
            raise PretrainedWeightsUnavailableError('weights_path {!r}: no such file'.format(weights_path))
        state_dict = torch.load(weights_path, map_location='cpu', weights_only=True)
        model.load_state_dict(state_dict)
        return model
    import torchvision.models as tvm
    weights = getattr(tvm, weights_name).IMAGENET1K_V1
    cache_dir = os.path.join(torch.hub.get_dir(), 'checkpoints')
    path = os.path.join(cache_dir, os.path.basename(weights.url))
    if not os.path.isfile(path):
        try:
            os.makedirs(cache_dir, exist_ok=True)
            torch.hub.download_url_to_file(weights.url, path, progress=False)
        except Exception as e:
            raise PretrainedWeightsUnavailableError(
                'pretrained=True needs the ImageNet weights {} ({}), which are not in the torch hub cache {} and '
                'could not be downloaded ({}: {}). Copy the file there (or set TORCH_HOME), or use '
                'pretrained=False / backbone_pretrained=False.'.format(
                    weights_name, os.path.basename(weights.url), cache_dir, type(e).__name__, e)) from e
    state_dict = torch.load(path, map_location='cpu', weights_only=True)
    model.load_state_dict(state_dict)
    return model


def _check_output_layers(output_layers):
    if output_layers is None:
        return ['default']
    if isinstance(output_layers, str):
        raise TypeError('output_layers must be a list of layer names, got the string {!r}'.format(output_layers))
    for name in output_layers:
        if name not in ('conv1', 'layer1', 'layer2', 'layer3', 'layer4', 'fc', 'default'):
            raise ValueError('Unknown layer {!r} in output_layers'.format(name))
    return list(output_layers)


def resnet_baby(output_layers=None, pretrained=False, inplanes=16, **kwargs):
    """Small ResNet-18-shaped network with `inplanes` base channels (no pretrained weights exist)."""
    output_layers = _check_output_layers(output_layers)
    model = ResNet(BasicBlock, [2, 2, 2, 2], output_layers, inplanes=inplanes, **kwargs)
    if pretrained:
        raise NotImplementedError('resnet_baby has no pretrained weights')
    return model


def resnet18(output_layers=None, pretrained=False, **kwargs):
    """ResNet-18; pretrained=True loads torchvision's ImageNet weights (ResNet18_Weights.IMAGENET1K_V1)
    from the torch hub cache; weights_path loads a user-given state-dict file instead."""
    output_layers = _check_output_layers(output_layers)
    weights_path = kwargs.pop('weights_path', None)   # ours, a keyword (pytracking's signature is kept)
    model = ResNet(BasicBlock, [2, 2, 2, 2], output_layers, **kwargs)
    if pretrained or weights_path is not None:
        _load_torchvision_imagenet_weights(model, 'ResNet18_Weights', weights_path)
    return model


def resnet50(output_layers=None, pretrained=False, **kwargs):
    """ResNet-50; pretrained=True loads torchvision's ImageNet weights (ResNet50_Weights.IMAGENET1K_V1)."""
    output_layers = _check_output_layers(output_layers)
    weights_path = kwargs.pop('weights_path', None)
    model = ResNet(Bottleneck, [3, 4, 6, 3], output_layers, **kwargs)
    if pretrained or weights_path is not None:
        _load_torchvision_imagenet_weights(model, 'ResNet50_Weights', weights_path)
    return model


def resnet101(output_layers=None, pretrained=False, **kwargs):
    """ResNet-101; pretrained=True loads torchvision's ImageNet weights (ResNet101_Weights.IMAGENET1K_V1)."""
    output_layers = _check_output_layers(output_layers)
    weights_path = kwargs.pop('weights_path', None)
    model = ResNet(Bottleneck, [3, 4, 23, 3], output_layers, **kwargs)
    if pretrained or weights_path is not None:
        _load_torchvision_imagenet_weights(model, 'ResNet101_Weights', weights_path)
    return model
