"""ATOM without the IoU-Net: the classifier searches 5 scales (1.02^-2 .. 1.02^2) instead."""
import torch

from pytracking.parameter.atom.default import parameters as default_parameters


def parameters():
    params = default_parameters()
    params.use_iou_net = False                                   # no IoU-Net box refinement
    params.scale_factors = 1.02 ** torch.arange(-2, 3).float()   # multi-scale search of the classifier
    # pytracking's README says this variant "can be run on CPU" but left use_gpu True in two places;
    # here use_gpu=True already falls back to the CPU and the feature follows the tracker's device.
    return params
