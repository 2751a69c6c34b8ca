"""ATOM's VOT parameters (default_vot: 224x224 samples of 4x the target, output window, no target-loss detection,
polygon -> box by 'preserve_area') with the demo network of `demo.py`: the latest checkpoint in
{ltr workspace_dir or cwd}/checkpoints/ltr/bbreg/atom_demo/ (`make demo` trains it), backbone in channels_last.
Used by `make vot-demo` (the VOT toolkit on the VOT-layout demo sequences)."""
from pytracking.parameter.atom.default_vot import parameters as default_vot_parameters
from pytracking.parameter.atom.demo import demo_network_dir


def parameters():
    params = default_vot_parameters()
    feature = params.features.features[0]
    feature.net_path = demo_network_dir()   # the atom_demo training's latest checkpoint
    feature.channels_last = True
    feature.fold_batch_norm = True          # BN folded into the convolutions (the same function up to rounding)
    feature.optimize_for_inference = True   # the backbone as a oneDNN-fused TorchScript graph (likewise)
    params.iounet_adapt_steps = 50          # the IoU head fitted to the first frame, as in demo.py
    return params
