"""Deep features for ATOM: ResNet-18 layer3 for the classifier, plus the IoU-Net features of the same pass."""
import torch
import torch.nn as nn

from pytracking.features.featurebase import MultiFeatureBase
from pytracking.libs.tensorlist import TensorList

# ImageNet colour statistics used to normalise the 0-1 RGB input.
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)

_LAYER_STRIDE = {'conv1': 2, 'layer1': 4, 'layer2': 8, 'layer3': 16, 'layer4': 32, 'classification': 16, 'fc': None}
_LAYER_DIM = {'conv1': 64, 'layer1': 64, 'layer2': 128, 'layer3': 256, 'layer4': 512, 'classification': 256,
              'fc': None}


def select_device(use_gpu, warn_once=[False]):
    """'cuda' when asked for and available; otherwise 'cpu' (saying so once per process when CUDA was asked for)."""
    if use_gpu and torch.cuda.is_available():
        return 'cuda'
    if use_gpu and not warn_once[0]:
        print('pytracking: use_gpu=True but CUDA is not available; running on the CPU.')
        warn_once[0] = True
    return 'cpu'


class ATOMResNet18(MultiFeatureBase):
    """ResNet-18 feature of an ATOM network, together with the IoU-Net features of the same backbone pass.
    args:
        output_layers: backbone layers returned as features (ATOM: ['layer3']).
        net_path: network to load (a name resolved against the network path, an absolute file/directory); an
            already-built ATOMnet (nn.Module) is also accepted and used as is (tests, benchmarks).
        use_gpu: run on CUDA when available, else on the CPU. The ATOM tracker overrides this with its own
            device (params.use_gpu), so the two cannot disagree (in pytracking they were independent and a
            CPU run needed both edited, else it crashed on mixed devices).
    """

    def __init__(self, output_layers=('layer3',), net_path='atom_iou', use_gpu=True, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.output_layers = list(output_layers)
        self.use_gpu = use_gpu
        self.net_path = net_path
        self.device = None

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

    def free_memory(self):
        for name in ('net', 'iou_predictor', 'iounet_backbone_features', 'iounet_features'):
            if hasattr(self, name):
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
            raise ValueError('ATOMResNet18.extract: expected an Nx3xHxW image batch, got shape {}'
                             .format(tuple(im.shape)))
        if im.shape[1] == 1:
            im = im.expand(-1, 3, -1, -1)  # grey frame: same value in R, G, B
        im = im.to(self.device, torch.float32) / 255
        im = (im - self.mean.to(self.device)) / self.std.to(self.device)

        with torch.no_grad():
            output_features = self.net.extract_features(im, self.feature_layers)

        # The IoU-Net reuses this backbone pass: cache its inputs and its test-branch features.
        self.iounet_backbone_features = TensorList(
            [output_features[layer].clone() for layer in self.iounet_feature_layers])
        with torch.no_grad():
            self.iounet_features = TensorList(self.iou_predictor.get_iou_feat(self.iounet_backbone_features))

        return TensorList([output_features[layer] for layer in self.output_layers])


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
