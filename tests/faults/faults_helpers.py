"""Helpers for the fault tests: `tiny_atom_net` (a random-init MobileNetV2 ATOM with 32-wide IoU-Net layers, fast
on a CPU) and `fast_atom_params` (ATOM's default parameters cut down: 128 px sample, few CG iterations, one
augmentation)."""
import functools
import os

import torch

FAULTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(FAULTS_DIR))


@functools.lru_cache(maxsize=1)
def tiny_atom_net():
    from ltr.models.bbreg.atom import atom_mobilenetv2
    state = torch.random.get_rng_state()
    torch.manual_seed(1)
    net = atom_mobilenetv2(backbone_pretrained=False, iou_input_dim=(32, 32), iou_inter_dim=(32, 32),
                           iou_branch_dim=32)
    torch.random.set_rng_state(state)
    return net.eval()


def fast_atom_params(**overrides):
    from atom_test_utils import small_params
    settings = dict(init_CG_iter=4, init_GN_iter=2, CG_iter=1, augmentation={'fliplr': True},
                    sample_memory_size=20, box_refinement_iter=1, num_init_random_boxes=2)
    settings.update(overrides)
    return small_params(tiny_atom_net(), seed=0, **settings)

