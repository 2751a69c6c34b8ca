"""Backbone base class: a module whose named sub-layers can be frozen (eval mode, no gradients)."""
import torch.nn as nn


class Backbone(nn.Module):
    """Base class for feature extractors.

    args:
        frozen_layers - names of child layers to freeze, or 'all', or 'none'. Frozen layers are kept in eval
                        mode whenever the network is put in train mode, and their parameters get
                        requires_grad=False the first time train() is called.
    """

    def __init__(self, frozen_layers=()):
        super().__init__()
        if isinstance(frozen_layers, str):
            if frozen_layers.lower() == 'none':
                frozen_layers = ()
            elif frozen_layers.lower() != 'all':
                raise ValueError("Backbone: frozen_layers must be a list of layer names, 'all' or 'none', "
                                 "got {!r}".format(frozen_layers))
            else:
                frozen_layers = 'all'
        self.frozen_layers = frozen_layers
        self._is_frozen_nograd = False

    def train(self, mode=True):
        super().train(mode)
        if mode:
            self._set_frozen_to_eval()
        if not self._is_frozen_nograd:
            self._set_frozen_to_nograd()
            self._is_frozen_nograd = True
        return self

    def _frozen_modules(self):
        if self.frozen_layers == 'all':
            return [self]
        return [getattr(self, name) for name in self.frozen_layers]

    def _set_frozen_to_eval(self):
        for module in self._frozen_modules():
            module.eval()

    def _set_frozen_to_nograd(self):
        for module in self._frozen_modules():
            for p in module.parameters():
                p.requires_grad_(False)
