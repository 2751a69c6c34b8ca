"""Ours: the IoU-Net's predicted IoU and its gradient w.r.t. the boxes in one pass, without autograd, for ATOM's box
refinement (params.iounet_manual_gradient).

pytracking's refinement runs predict_iou on boxes that require grad and calls backward() at each of its 5 steps; on
a CPU most of that step is autograd's bookkeeping (recording ~25 small ops, then replaying them), not arithmetic.
The head after PrRoIPool is three affine layers (fc3_rt / fc4_rt: Linear + eval-mode BN + ReLU; iou_predictor:
Linear), so d IoU / d pooled features is a few matrix products, and PrRoIPool's own backward op gives the gradient
w.r.t. the box corners. The same derivative as autograd computes, in another order of float operations (each
Linear+BN pair is applied as one folded affine map, cached per IoU-Net until one of its tensors changes).

Used only for a plain AtomIoUNet in eval mode whose PrRoIPool runs on the compiled op (`supported`); otherwise the
tracker keeps autograd.
"""
import weakref

import torch

from ltr.models.bbreg.atom_iou_net import AtomIoUNet, _boxes_to_rois
from ltr.models.layers.blocks import LinearBlock
from ltr.ops import _extension


def supported(iou_predictor, device):
    """True when `iou_and_box_gradient` can stand in for predict_iou + backward."""
    if type(iou_predictor) is not AtomIoUNet or iou_predictor.training:
        return False
    if not _extension.has_kernel(torch.device(device).type):
        return False
    for block in (iou_predictor.fc3_rt, iou_predictor.fc4_rt):
        if type(block) is not LinearBlock or block.bn is None or block.relu is None or block.bn.training:
            return False
    return True


def _folded_affine(block):
    """The LinearBlock's Linear and eval-mode BN as one affine map: (weight (D, K), bias (D,))."""
    bn, linear = block.bn, block.linear
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    bias = linear.bias if linear.bias is not None else torch.zeros_like(bn.running_mean)
    return (linear.weight * scale[:, None]).contiguous(), ((bias - bn.running_mean) * scale + bn.bias).contiguous()


# Folded head per IoU-Net (weights and key), made again when any of its tensors changes (load, .to(), a fit).
_HEADS = weakref.WeakKeyDictionary()


def _head(net):
    """[(pool, W, b, w_out)] per level (Linear+BN folded; w_out: that level's slice of iou_predictor's weight) and
    iou_predictor's bias."""
    tensors = [t for block in (net.fc3_rt, net.fc4_rt) for t in
               (block.linear.weight, block.linear.bias, block.bn.weight, block.bn.bias, block.bn.running_mean,
                block.bn.running_var) if t is not None] + [net.iou_predictor.weight, net.iou_predictor.bias]
    key = tuple((t.data_ptr(), t._version, t.dtype, t.device) for t in tensors) + \
        (net.fc3_rt.bn.eps, net.fc4_rt.bn.eps)
    entry = _HEADS.get(net)
    if entry is None or entry[0] != key:
        with torch.no_grad():
            levels, start = [], 0
            for pool, block in ((net.prroi_pool3t, net.fc3_rt), (net.prroi_pool4t, net.fc4_rt)):
                weight, bias = _folded_affine(block)
                width = weight.shape[0]
                levels.append((pool, weight, bias, net.iou_predictor.weight[0, start:start + width].contiguous()))
                start += width
            entry = (key, levels, net.iou_predictor.bias.detach())
        _HEADS[net] = entry
    return entry[1], entry[2]


def iou_and_box_gradient(iou_predictor, modulation, feat, boxes):
    """args:
        iou_predictor: an AtomIoUNet (see `supported`).
        modulation: the two modulation vectors; feat: the two test-branch maps (1, C, H, W) of one sample.
        boxes: (1, N, 4) [x, y, w, h] in sample pixels.
    returns: (predicted IoU (1, N), its gradient w.r.t. boxes (1, N, 4)), as predict_iou and backward() give."""
    levels, out_bias = _head(iou_predictor)
    n, box_dtype = boxes.shape[1], boxes.dtype
    boxes = boxes.detach().reshape(n, 4).to(feat[0].dtype)
    rois = _boxes_to_rois(boxes, boxes.new_zeros(n, 1))
    with torch.no_grad():
        iou, grad_rois = out_bias, None
        for (pool, weight, bias, w_out), f, m in zip(levels, feat, modulation):
            x = f * m.reshape(1, -1, 1, 1)
            p = torch.ops.ltr.prroi_pool2d(x, rois, pool.pooled_height, pool.pooled_width, pool.spatial_scale)
            z = torch.addmm(bias, p.reshape(n, -1), weight.t())     # Linear + BN
            iou = iou + z.clamp(min=0) @ w_out                        # ReLU, then this level's share of the IoU
            d_p = ((z > 0) * w_out) @ weight                          # d IoU / d pooled features
            g = torch.ops.ltr._prroi_pool2d_backward(
                d_p.reshape(p.shape), x, rois, p, pool.pooled_height, pool.pooled_width, pool.spatial_scale,
                False, True)[1]
            grad_rois = g if grad_rois is None else grad_rois + g
        g = grad_rois[:, 1:]
        grad_boxes = torch.cat((g[:, :2] + g[:, 2:], g[:, 2:]), dim=1).reshape(1, n, 4)
    return iou.reshape(1, n), grad_boxes.to(box_dtype)
