"""Deep features for ATOM: a backbone layer (ResNet-18 layer3) for the classifier, plus the IoU-Net features of the
same backbone pass."""
from collections import OrderedDict

import torch
import torch.nn as nn

from ltr.models.backbone.resnet import ResNet
from ltr.models.layers.fold_batch_norm import FoldedFrozenForward, fold_batch_norm
from pytracking.features.featurebase import MultiFeatureBase
from pytracking.libs.tensorlist import TensorList
from pytracking.utils.device import select_device  # noqa: F401  (also importable from here, as before)

# Ours: input pixels per backbone call when a large CPU batch is split (see ATOMNetFeature._forward_in_chunks).
_CHUNK_PIXELS = 4 * 224 * 224
_MIN_CHUNKED_PIXELS = 224 * 224

# ImageNet colour statistics used to normalise the 0-1 RGB input.
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)

# pytracking's tables for ResNet-18 (conv1 says stride 2 here, 4 in the backbone; kept as pytracking has them).
_LAYER_STRIDE = {'conv1': 2, 'layer1': 4, 'layer2': 8, 'layer3': 16, 'layer4': 32, 'classification': 16, 'fc': None}
_LAYER_DIM = {'conv1': 64, 'layer1': 64, 'layer2': 128, 'layer3': 256, 'layer4': 512, 'classification': 256,
              'fc': None}


class ATOMNetFeature(MultiFeatureBase):
    """Backbone feature of an ATOM network (any `ATOMnet`: ResNet-18, MobileNetV2, ...), together with the IoU-Net
    features of the same backbone pass. Channels and strides of the layers come from the network's backbone
    (`out_feature_channels()` / `out_feature_strides()`); for ltr's ResNet pytracking's own tables are kept.
    args:
        output_layers: backbone layers returned as features (ATOM: ['layer3']).
        net_path: network to load (a name resolved against the network path, an absolute file/directory); an
            already-built ATOMnet (nn.Module) is also accepted and used as is (tests, benchmarks).
        use_gpu: run on CUDA when available, else on the CPU. The ATOM tracker overrides this with its own
            device (params.use_gpu), so the two cannot disagree (in pytracking they were independent and a
            CPU run needed both edited, else it crashed on mixed devices).
        channels_last: ours, run the backbone in the channels_last memory layout (faster convolutions on the CPU;
            results differ from the default layout by float rounding only). Default False (pytracking's layout).
        fold_batch_norm: ours, run the backbone and the IoU-Net through copies with their batch norm folded into
            the convolutions (ltr/models/layers/fold_batch_norm.py: one memory pass less per layer; results differ
            by float rounding only). Default False.
        optimize_for_inference: ours, run the backbone (BN folded as above) as an optimised TorchScript graph
            (ltr/models/layers/fold_batch_norm.py `optimize_for_inference`: oneDNN convolutions with the activation
            fused in; ~30 % faster for MobileNetV2 on the CPU, no gain for ResNet-18; float rounding only; traced
            at the first extraction). Default False.
    Attribute compute_iou_features (ours, default True): the tracker sets it to False when use_iou_net is off, so
    the IoU-Net's test branch is not run for nothing on every frame.
    """

    def __init__(self, output_layers=('layer3',), net_path='atom_iou', use_gpu=True, *args, **kwargs):
        channels_last = kwargs.pop('channels_last', False)   # ours, a keyword (pytracking's signature is kept)
        fold_bn = kwargs.pop('fold_batch_norm', False)        # ours, likewise
        jit_backbone = kwargs.pop('optimize_for_inference', False)   # ours, likewise
        super().__init__(*args, **kwargs)
        self.output_layers = list(output_layers)
        self.use_gpu = use_gpu
        self.net_path = net_path
        self.device = None
        self.channels_last = channels_last
        self.fold_batch_norm = fold_bn
        self.optimize_for_inference = jit_backbone
        self.compute_iou_features = True

    def initialize(self):
        if isinstance(self.net_path, nn.Module):
            self.net = self.net_path
        else:
            from pytracking.utils.loading import load_network
            self.net = load_network(self.net_path)
        self.device = torch.device(self.device if self.device is not None else select_device(self.use_gpu))
        self.net = self.net.to(self.device)
        self.net.eval()

        self.iou_predictor = self.net.bb_regressor
        self.layer_stride = dict(_LAYER_STRIDE)
        self.layer_dim = dict(_LAYER_DIM)
        backbone = getattr(self.net, 'feature_extractor', None)
        if not isinstance(backbone, ResNet) and hasattr(backbone, 'out_feature_strides'):
            self.layer_stride.update(backbone.out_feature_strides())
            self.layer_dim.update(backbone.out_feature_channels())
        unknown = [l for l in self.output_layers if self.layer_dim.get(l) is None]
        if unknown:
            raise ValueError('{}: output_layers {} are not feature layers of the network {}'.format(
                type(self).__name__, unknown, type(backbone).__name__))
        if self.channels_last:
            self.net = self.net.to(memory_format=torch.channels_last)
        self._backbone_forward = self.net.extract_features
        layout = torch.channels_last if self.channels_last else torch.contiguous_format
        if self.fold_batch_norm or self.optimize_for_inference:
            self._backbone_forward = FoldedFrozenForward(self.net.feature_extractor, memory_format=layout,
                                                         optimize_for_inference=self.optimize_for_inference)
        if self.fold_batch_norm:
            self.iou_predictor = fold_batch_norm(self.iou_predictor).to(memory_format=layout)
        self.iounet_feature_layers = self.net.bb_regressor_layer \
            if hasattr(self.net, 'bb_regressor_layer') else ['layer2', 'layer3']
        self.feature_layers = sorted(set(self.output_layers + list(self.iounet_feature_layers)))
        self.mean = torch.Tensor(_IMAGENET_MEAN).view(1, -1, 1, 1)
        self.std = torch.Tensor(_IMAGENET_STD).view(1, -1, 1, 1)

    def set_device(self, device):
        """Put the network on `device` (called by the tracker so features follow params.device)."""
        self.device = torch.device(device)
        if hasattr(self, 'net'):
            self.net = self.net.to(self.device)
        if 'iou_predictor' in self.__dict__:   # the folded copy (fold_batch_norm) is not part of self.net
            self.iou_predictor = self.iou_predictor.to(self.device)

    def _forward_in_chunks(self, im, layers):
        """The backbone on the batch; on the CPU a large batch of crops of 224x224 pixels or more runs in chunks of
        about _CHUNK_PIXELS input pixels (ours). A chunk's activations stay in cache from layer to layer where a
        large batch's stream through memory: ATOM's 23 augmented first-frame crops on 2 threads, ResNet-18 at
        288x288 (chunks of 2) 0.88 -> 0.72 s, MobileNetV2 at 224x224 (chunks of 4) 0.24 -> 0.11 s. At these sizes
        oneDNN computes a sample alike in or out of a batch: the same floats (tested; the demo sequences' boxes are
        bit-identical), which it does not for small maps (a 64x64 crop differs by rounding), so smaller crops, small
        batches (a frame's scales) and CUDA run as one call."""
        n, pixels = im.shape[0], im.shape[2] * im.shape[3]
        if im.device.type != 'cpu' or pixels < _MIN_CHUNKED_PIXELS or n * pixels <= 2 * _CHUNK_PIXELS:
            return self._backbone_forward(im, layers)
        step = max(1, round(_CHUNK_PIXELS / pixels))
        outputs = [self._backbone_forward(im[i:i + step], layers) for i in range(0, n, step)]
        return OrderedDict((layer, torch.cat([o[layer] for o in outputs])) for layer in outputs[0])

    @property
    def iounet_features(self):
        """The IoU-Net's test-branch features of the last extraction (computed once, when first asked for)."""
        if getattr(self, '_iounet_features', None) is None:
            if not hasattr(self, 'iounet_backbone_features'):
                raise AttributeError('iounet_features: no IoU-Net backbone features extracted')
            with torch.no_grad():
                self._iounet_features = TensorList(self.iou_predictor.get_iou_feat(self.iounet_backbone_features))
        return self._iounet_features

    def free_memory(self):
        for name in ('net', 'iou_predictor', '_backbone_forward', 'iounet_backbone_features', '_iounet_features'):
            if name in self.__dict__:
                delattr(self, name)

    def dim(self):
        return TensorList([self.layer_dim[l] for l in self.output_layers])

    def stride(self):
        return TensorList([s * self.layer_stride[l] for l, s in zip(self.output_layers, self.pool_stride)]) \
            if isinstance(self.pool_stride, (list, tuple)) else \
            TensorList([self.pool_stride * self.layer_stride[l] for l in self.output_layers])

    def extract(self, im: torch.Tensor):
        """im: Nx3xHxW (or Nx1xHxW grey, repeated to 3 channels), values 0-255, on any device."""
        if im.dim() != 4 or im.shape[1] not in (1, 3):
            raise ValueError('{}.extract: expected an Nx3xHxW image batch, got shape {}'
                             .format(type(self).__name__, tuple(im.shape)))
        if im.shape[1] == 1:
            im = im.expand(-1, 3, -1, -1)  # grey frame: same value in R, G, B
        im = im.to(self.device, torch.float32) / 255
        im = (im - self.mean.to(self.device)) / self.std.to(self.device)
        if self.channels_last:
            im = im.contiguous(memory_format=torch.channels_last)

        layers = self.feature_layers if self.compute_iou_features else self.output_layers
        with torch.no_grad():
            output_features = self._forward_in_chunks(im, layers)

        self._iounet_features = None
        if self.compute_iou_features:
            # The IoU-Net reuses this backbone pass: cache its inputs. Its test-branch features (iounet_features)
            # are computed from them when first asked for (ours; pytracking computed them for every extraction,
            # the 30 augmented first-frame samples included, which only need the backbone features).
            self.iounet_backbone_features = TensorList(
                [output_features[layer].clone() for layer in self.iounet_feature_layers])

        return TensorList([output_features[layer].contiguous() for layer in self.output_layers])


class ATOMResNet18(ATOMNetFeature):
    """pytracking's name for ATOM's deep feature (ResNet-18 layer3 + IoU-Net features); see ATOMNetFeature, which
    also serves other backbones."""


class ResNet18m1(MultiFeatureBase):
    """ECO's ResNet-18 feature; not part of this ATOM re-implementation."""

    def __init__(self, output_layers, net_path=None, use_gpu=True, *args, **kwargs):
        super().__init__(*args, **kwargs)
        raise NotImplementedError('ResNet18m1 (ECO feature) is not implemented in this ATOM re-implementation')


class Mobilenet(MultiFeatureBase):
    """ECO's MobileNet feature; not part of this ATOM re-implementation."""

    def __init__(self, output_layers, net_path=None, use_gpu=True, *args, **kwargs):
        super().__init__(*args, **kwargs)
        raise NotImplementedError('Mobilenet (ECO feature) is not implemented in this ATOM re-implementation')
