"""ATOM without the IoU-Net: the classifier searches 5 scales (1.02^-2 .. 1.02^2) instead."""
import torch

from pytracking.parameter.atom.default import parameters as default_parameters


def apply_multiscale_no_iounet(params):
    """Turn the IoU-Net off and search 5 scales with the classifier (also used by demo_no_iounet)."""
    params.use_iou_net = False                                   # no IoU-Net box refinement
    params.scale_factors = 1.02 ** torch.arange(-2, 3).float()   # multi-scale search of the classifier
    return params


def parameters():
    return apply_multiscale_no_iounet(default_parameters())
