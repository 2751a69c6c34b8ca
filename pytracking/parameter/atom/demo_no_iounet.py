"""`multiscale_no_iounet` with the demo network (see demo.py): the classifier searches 5 scales, no IoU-Net."""
from pytracking.parameter.atom.demo import parameters as demo_parameters
from pytracking.parameter.atom.multiscale_no_iounet import apply_multiscale_no_iounet


def parameters():
    return apply_multiscale_no_iounet(demo_parameters())
