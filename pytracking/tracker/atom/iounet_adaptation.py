"""Ours, opt-in (params.iounet_adapt_steps > 0; pytracking has no such step): fit the IoU-Net's head to the target
on the first frame, before tracking.

Why: an IoU-Net trained briefly (the CPU demo network: minutes, not ATOM's 40 GPU-epochs) knows where some objects
end (a coin, a round patch) but not others: on the first frame itself it scored the true box of a cap badge or a
headlight low and preferred a box 0.6-0.8x as large, so every refinement shrank the box. The first frame is the one
frame whose box is known, so it can teach the head this target's extent: proposals are drawn around the target box
exactly as ATOM's training draws them (Gaussian perturbations with sigma factors 0.01-0.3 of sqrt(w*h), IoU > 0.1,
the target 2 * IoU - 1), pooled once from the first sample's modulated test features, and the fully connected head
(fc3_rt, fc4_rt, iou_predictor) of a *copy* of the IoU-Net is fitted to them with Adam. The reference branch and the
convolutional test branch are not touched, so the modulation and the test features stay those of the trained
network; the network shared with other sequences is never modified.

Measured on the demo network (benchmarks/probe_iounet_scale.py, otb_real, the crop also mis-scaled by 0.8 / 1.25
so the head cannot just learn the crop's usual target size): the best-scored scale of the true box on frames 10
and 30 moved from 0.5-0.9 to 0.9-1.0 for every target; 50 steps of 128 proposals cost ~0.2 s on 2 CPU threads.
"""
import copy

import torch
from torch.torch_version import TorchVersion

from ltr.data.processing_utils import iou as box_iou

# ATOM's training proposals (ltr/train_settings/bbreg/atom.py).
SIGMA_FACTORS = (0.01, 0.05, 0.1, 0.2, 0.3)
MIN_IOU = 0.1


def sample_proposals(box, num, sigma_factors=SIGMA_FACTORS, min_iou=MIN_IOU, max_rounds=20):
    """`num` Gaussian perturbations of `box` [x, y, w, h] (centre and size, std = sigma * sqrt(w*h), sigma drawn from
    sigma_factors per proposal) whose IoU with it exceeds min_iou, and their IoU. Torch's RNG only (seeded by the
    tracker), vectorised; a proposal that fails is redrawn with a 10% smaller std, as ATOM's perturb_box does.
    Sizes are kept >= 1 pixel."""
    box = box.float().cpu()
    centre, size = box[:2] + 0.5 * box[2:], box[2:]
    sigma = torch.tensor(sigma_factors)[torch.randint(len(sigma_factors), (num,))] * size.prod().sqrt()
    proposals = torch.empty(num, 4)
    todo = torch.arange(num)
    for _ in range(max_rounds):
        s = sigma[todo].view(-1, 1)
        c = centre + s * torch.randn(len(todo), 2)
        wh = (size + s * torch.randn(len(todo), 2)).clamp(min=1.0)
        proposals[todo] = torch.cat([c - 0.5 * wh, wh], dim=1)
        ok = box_iou(box.view(1, 4), proposals[todo]) > min_iou
        sigma[todo[~ok]] *= 0.9
        todo = todo[~ok]
        if len(todo) == 0:
            break
    if len(todo):   # never seen: keep the box itself for the stragglers
        proposals[todo] = box
    return proposals, box_iou(box.view(1, 4), proposals)


def _adam(params, lr):
    """Adam with PyTorch's fused kernel (one pass per tensor; the same update up to float rounding) where it has one:
    on 2 CPU threads 8.4 -> 0.7 ms per step for a ResNet-18 ATOM head. CUDA has it; the CPU since torch 2.4."""
    device = params[0].device.type
    fused = device == 'cuda' or (device == 'cpu' and TorchVersion(torch.__version__) >= (2, 4))
    return torch.optim.Adam(params, lr=lr, fused=fused or None)


def adapt_iou_head(iou_predictor, modulation, backbone_features, target_box, steps, num_proposals=128, lr=1e-3):
    """A copy of `iou_predictor` (an AtomIoUNet) whose fully connected head is fitted to the first frame.
    args:
        modulation: the target's modulation vectors (get_modulation of the first frame, each (C,) or (1, C, ...)).
        backbone_features: the first sample's IoU-Net backbone features [layer2, layer3], each (1, C, H, W).
        target_box: the target [x, y, w, h] in that sample's coordinates.
        steps, num_proposals, lr: Adam steps, proposals (drawn once), learning rate.
    returns: (the adapted copy in eval mode without gradients, [loss before, loss after])."""
    head = copy.deepcopy(iou_predictor).eval()
    device = backbone_features[0].device
    proposals, iou = sample_proposals(target_box, num_proposals)
    target = (2 * iou - 1).to(device).view(-1, 1)
    with torch.no_grad():
        feat = head.get_iou_feat(backbone_features)
        modulation = [m.reshape(1, -1) for m in modulation]
        pooled = head.pool_proposals(modulation, feat, proposals.to(device).view(1, -1, 4))
    params = [p for m in (head.fc3_rt, head.fc4_rt, head.iou_predictor) for p in m.parameters()]
    for p in params:
        p.requires_grad_(True)
    optimizer = _adam(params, lr)
    losses = []
    with torch.enable_grad():
        for _ in range(steps):
            loss = (head.predict_iou_from_pooled(pooled) - target).pow(2).mean()
            losses.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    for p in head.parameters():
        p.requires_grad_(False)
    return head, losses[:1] + losses[-1:]
