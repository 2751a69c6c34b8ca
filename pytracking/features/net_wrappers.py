"""Lazy network wrappers: load a network on first use and forward attribute access to it (used by DiMP-style
trackers; ATOM uses features.deep.ATOMResNet18)."""
import torch

from pytracking.utils.loading import load_network


# Kept for pytracking API compatibility; not on ATOM's path.
class NetWrapper:
    """Holds a network, loaded from `net_path` on `initialize()` (or at construction with initialize=True).
    Unknown attributes are looked up on the network."""
    _rec_iter = 0

    def __init__(self, net_path, use_gpu=True, initialize=False, **kwargs):
        self.net_path = net_path
        self.use_gpu = use_gpu
        self.net = None
        self.net_kwargs = kwargs
        if initialize:
            self.initialize()

    def __getattr__(self, name):
        # Guard against endless recursion when `net` itself is not set yet (e.g. during unpickling).
        if self._rec_iter > 0:
            self._rec_iter = 0
            return None
        self._rec_iter += 1
        try:
            ret_val = getattr(self.net, name)
        except Exception:
            self._rec_iter = 0
            raise
        self._rec_iter = 0
        return ret_val

    def load_network(self):
        from pytracking.utils.device import select_device
        self.net = load_network(self.net_path, **self.net_kwargs)
        self.net = self.net.to(select_device(self.use_gpu))
        self.eval()

    def initialize(self):
        self.load_network()


# Kept for pytracking API compatibility; not on ATOM's path.
class NetWithBackbone(NetWrapper):
    """A NetWrapper whose network has `extract_backbone_features`; adds image normalisation."""

    def __init__(self, net_path, use_gpu=True, initialize=False, image_format='rgb',
                 mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225), **kwargs):
        super().__init__(net_path, use_gpu, initialize, **kwargs)
        self.image_format = image_format
        self._mean = torch.Tensor(mean).view(1, -1, 1, 1)
        self._std = torch.Tensor(std).view(1, -1, 1, 1)

    def initialize(self, image_format='rgb', mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)):
        super().initialize()

    def preprocess_image(self, im: torch.Tensor):
        """Normalise an image batch (0-255): to RGB/BGR as configured, 0-1 (unless '255' format), mean/std."""
        if self.image_format in ['rgb', 'rgb255']:
            im = im / 255 if self.image_format == 'rgb' else im
        elif self.image_format in ['bgr', 'bgr255']:
            im = im[:, [2, 1, 0], :, :]
            im = im / 255 if self.image_format == 'bgr' else im
        else:
            raise ValueError('NetWithBackbone: unknown image_format {!r}'.format(self.image_format))
        im = im - self._mean.to(im.device)
        im = im / self._std.to(im.device)
        dev = next(self.net.parameters()).device
        return im.to(dev)

    def extract_backbone(self, im: torch.Tensor):
        im = self.preprocess_image(im)
        return self.net.extract_backbone_features(im)
