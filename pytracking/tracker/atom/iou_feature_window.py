"""The IoU-Net's test-branch features of one sample, computed only where the boxes being refined can see them.

ATOM refines ~10 boxes around the target, and the target covers about a fifth of the search crop in each
direction; the test branch (two 3x3 convolutions per level, `AtomIoUNet.get_iou_feat`) over the whole crop costs
about as much as the backbone (ResNet-18: ~70% of its multiply-adds), almost all of it for cells no box touches.

PrRoIPool reads a feature cell only when the box, in feature coordinates, comes within one cell of it (bilinear
interpolant, zero outside the map), and a cell of the test branch's output depends on the input cells within its
halo (one per 3x3 convolution). So the branch is run on the input window = the cells the boxes need + the halo
(clipped to the map, where the convolutions see the same zero padding as on the whole map), the valid part is
written into an all-zero map of the full size, and pooling from that map gives what pooling from the full branch
output gives, for the same boxes. When a refinement step moves a box outside the computed cells, the window is
grown first (`features(boxes)` checks every call), so the result never depends on the window. The same numbers
up to float rounding (a convolution over a smaller input may sum in another order); the tracker's boxes agree with
the whole-map computation to well below 1e-4 px (tests/tracker/test_iou_feature_window.py).

Used by ATOM.refine_target_box when params.iounet_feature_window is True (ours, default True); False computes the
branch over the whole crop as pytracking does.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from ltr.models.bbreg.atom_iou_net import AtomIoUNet


def _conv_halo(block):
    """Cells of context one output cell of `block` (a Sequential of stride-1 'same' convs, BN, ReLU) depends on,
    or None when the block holds anything else."""
    halo = 0
    for m in block.modules():
        if isinstance(m, nn.Conv2d):
            k, p, s, d = m.kernel_size, m.padding, m.stride, m.dilation
            if s != (1, 1) or k[0] != k[1] or p != (d[0] * (k[0] - 1) // 2,) * 2 or k[0] % 2 == 0:
                return None
            halo += p[0]
        elif not isinstance(m, (nn.Sequential, nn.BatchNorm2d, nn.ReLU, nn.Identity)):   # Identity: folded BN
            return None
    return halo


def _leaves(block):
    """The modules of nested Sequentials in the order their forward applies them."""
    for m in block.children():
        if isinstance(m, nn.Sequential):
            yield from _leaves(m)
        else:
            yield m


def _zero_outside(x, r0, c0, height, width):
    """x covers map cells r0.., c0..: a copy with the cells outside 0..height-1 x 0..width-1 set to zero."""
    top, left = max(0, -r0), max(0, -c0)
    bottom, right = max(0, r0 + x.shape[-2] - height), max(0, c0 + x.shape[-1] - width)
    if not (top or left or bottom or right):
        return x
    x = x.clone()
    if top:
        x[..., :top, :] = 0
    if bottom:
        x[..., x.shape[-2] - bottom:, :] = 0
    if left:
        x[..., :, :left] = 0
    if right:
        x[..., :, x.shape[-1] - right:] = 0
    return x


def branches(iou_predictor):
    """[(block, halo, stride)] of the two test branches (stride-8 and stride-16 level), or None when the predictor
    is not an AtomIoUNet whose test branch is these plain convolution blocks (then the window cannot be used)."""
    if not isinstance(iou_predictor, AtomIoUNet) or type(iou_predictor).get_iou_feat is not AtomIoUNet.get_iou_feat:
        return None
    strides = getattr(iou_predictor, 'feature_stride', (8, 16))
    out = []
    for blocks, stride in (((iou_predictor.conv3_1t, iou_predictor.conv3_2t), strides[0]),
                           ((iou_predictor.conv4_1t, iou_predictor.conv4_2t), strides[1])):
        block = nn.Sequential(*blocks)
        halo = _conv_halo(block)
        if halo is None:
            return None
        out.append((block, halo, float(stride)))
    return out


class IoUFeatureWindow:
    """Lazily computed test-branch features of one sample (batch size 1) for boxes [x, y, w, h] in sample pixels.
    args:
        iou_predictor: the AtomIoUNet (eval mode).
        backbone_features: the two backbone feature maps of the sample, each (1, C, H, W).
        test_branches: `branches(iou_predictor)` when the caller already has it (the tracker finds it once).
    """

    def __init__(self, iou_predictor, backbone_features, test_branches=None):
        self.branches = test_branches if test_branches is not None else branches(iou_predictor)
        if self.branches is None:
            raise ValueError('IoUFeatureWindow: {} has no plain AtomIoUNet test branch'.format(
                type(iou_predictor).__name__))
        self.inputs = list(backbone_features)
        if any(f.shape[0] != 1 for f in self.inputs):
            raise ValueError('IoUFeatureWindow: one sample at a time (batch size 1)')
        self.maps = [None] * len(self.inputs)      # full-size outputs, zero outside the computed cells
        self.done = [None] * len(self.inputs)      # computed cells (y0, y1, x0, x1), end exclusive

    def _needed(self, boxes, stride, height, width):
        """Cells (y0, y1, x0, x1) (end exclusive) the boxes' PrRoIPool integrals and their gradients read at this
        stride, clipped to the map: an edge at lo..hi (feature units) reads cells floor(lo) .. floor(hi) + 1 (the
        bilinear interpolant between a cell and the next). No cells to spare: on the demo footage a spare cell
        on each side saved no regrowth of the window (17 in 228 either way) and cost ~30 % more convolution."""
        b = boxes.detach().reshape(-1, 4).cpu()
        x0, y0 = b[:, 0].min().item(), b[:, 1].min().item()
        x1, y1 = (b[:, 0] + b[:, 2]).max().item(), (b[:, 1] + b[:, 3]).max().item()
        return (max(0, math.floor(y0 / stride)), min(height, math.floor(y1 / stride) + 2),
                max(0, math.floor(x0 / stride)), min(width, math.floor(x1 / stride) + 2))

    def _compute(self, level, cells):
        """The block's output on `cells` (y0, y1, x0, x1), computed with unpadded ('valid') convolutions from the
        input cells plus the halo: each convolution yields only the cells the next one reads (a padded
        convolution over the window would also compute a ring that is then thrown away: ~1.5x the work). The
        map's own zero padding is reproduced by zeroing, before each convolution, what lies outside the map."""
        block, halo, _ = self.branches[level]
        feat = self.inputs[level]
        height, width = feat.shape[-2:]
        y0, y1, x0, x1 = cells
        r0, r1, c0, c1 = y0 - halo, y1 + halo, x0 - halo, x1 + halo     # the window, in map cells (may overhang)
        with torch.no_grad():
            x = feat[..., max(0, r0):min(height, r1), max(0, c0):min(width, c1)]
            x = F.pad(x, (max(0, -c0), max(0, c1 - width), max(0, -r0), max(0, r1 - height)))
            first = True
            for m in _leaves(block):
                if isinstance(m, nn.Conv2d):
                    if not first:   # the conv's zero padding at the map's border
                        x = _zero_outside(x, r0, c0, height, width)
                    first = False
                    x = F.conv2d(x, m.weight, m.bias, stride=1, padding=0, dilation=m.dilation, groups=m.groups)
                    r0, r1, c0, c1 = r0 + m.padding[0], r1 - m.padding[0], c0 + m.padding[1], c1 - m.padding[1]
                else:
                    x = m(x)
        if self.maps[level] is None:
            # Plain NCHW whatever the backbone's layout: PrRoIPool reads NCHW (it would copy any other layout at
            # each of the refinement's forward and backward calls).
            self.maps[level] = x.new_zeros(x.shape[:2] + (height, width))
        self.maps[level][..., y0:y1, x0:x1] = x
        self.done[level] = cells

    def features(self, boxes):
        """The two test-branch maps, exact (up to float rounding) wherever `boxes` can read them."""
        for level, (_, _, stride) in enumerate(self.branches):
            height, width = self.inputs[level].shape[-2:]
            need = self._needed(boxes, stride, height, width)
            done = self.done[level]
            if done is not None and done[0] <= need[0] and done[1] >= need[1] and done[2] <= need[2] and \
                    done[3] >= need[3]:
                continue
            if done is not None:   # grow to the union (recomputes the old cells too: rare, and simpler)
                need = (min(need[0], done[0]), max(need[1], done[1]), min(need[2], done[2]), max(need[3], done[3]))
            self._compute(level, need)
        return self.maps

    def coverage(self):
        """Fraction of each level's cells computed so far (for benchmarks)."""
        out = []
        for level, done in enumerate(self.done):
            height, width = self.inputs[level].shape[-2:]
            out.append(0.0 if done is None else (done[1] - done[0]) * (done[3] - done[2]) / (height * width))
        return out
