"""Ours: the IoU-Net's predicted IoU and its gradient w.r.t. the boxes in one pass, without autograd, for ATOM's box
refinement (params.iounet_manual_gradient).

pytracking's refinement runs predict_iou on boxes that require grad and calls backward() at each of its 5 steps; on
a CPU most of that step is autograd's bookkeeping (recording ~25 small ops, then replaying them), not arithmetic.
The head after PrRoIPool is three affine layers (fc3_rt / fc4_rt: Linear + eval-mode BN + ReLU; iou_predictor:
Linear), so d IoU / d pooled features is a few matrix products, and PrRoIPool's own backward op gives the gradient
w.r.t. the box corners. The same derivative as autograd computes, in another order of float operations.

Used only for a plain AtomIoUNet in eval mode whose PrRoIPool runs on the compiled op (`supported`); otherwise the
tracker keeps autograd.
"""
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


def _affine_bn_relu(block, x):
    """LinearBlock forward on flattened x, returning the output and d output / d (linear output) per element."""
    h = torch.nn.functional.linear(x, block.linear.weight, block.linear.bias)
    bn = block.bn
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    z = (h - bn.running_mean) * scale + bn.bias
    out = z.clamp(min=0)
    return out, scale * (z > 0)


def iou_and_box_gradient(iou_predictor, modulation, feat, boxes):
    """args:
        iou_predictor: an AtomIoUNet (see `supported`).
        modulation: the two modulation vectors; feat: the two test-branch maps (1, C, H, W) of one sample.
        boxes: (1, N, 4) [x, y, w, h] in sample pixels.
    returns: (predicted IoU (1, N), its gradient w.r.t. boxes (1, N, 4)), as predict_iou and backward() give."""
    net = iou_predictor
    n, box_dtype = boxes.shape[1], boxes.dtype
    boxes = boxes.detach().reshape(n, 4).to(feat[0].dtype)
    rois = _boxes_to_rois(boxes, boxes.new_zeros(n, 1))

    levels = ((net.prroi_pool3t, net.fc3_rt), (net.prroi_pool4t, net.fc4_rt))
    with torch.no_grad():
        inputs, pooled, outs, local = [], [], [], []
        for (pool, block), f, m in zip(levels, feat, modulation):
            x = f * m.reshape(1, -1, 1, 1)
            p = torch.ops.ltr.prroi_pool2d(x, rois, pool.pooled_height, pool.pooled_width, pool.spatial_scale)
            out, d_local = _affine_bn_relu(block, p.reshape(n, -1))
            inputs.append(x)
            pooled.append(p)
            outs.append(out)
            local.append(d_local)
        w = net.iou_predictor.weight            # (1, D3 + D4)
        iou = torch.nn.functional.linear(torch.cat(outs, dim=1), w, net.iou_predictor.bias).reshape(1, n)

        grad_rois = torch.zeros_like(rois)
        start = 0
        for ((pool, block), x, p, out, d_local) in zip(levels, inputs, pooled, outs, local):
            width = out.shape[1]
            d_h = w[:, start:start + width] * d_local          # (N, D): d IoU / d linear output
            start += width
            d_p = (d_h @ block.linear.weight).reshape(p.shape)   # d IoU / d pooled features
            grad_rois += torch.ops.ltr._prroi_pool2d_backward(
                d_p.contiguous(), x, rois, p, pool.pooled_height, pool.pooled_width, pool.spatial_scale, False, True)[1]
        g = grad_rois[:, 1:]
        grad_boxes = torch.cat((g[:, :2] + g[:, 2:], g[:, 2:]), dim=1).reshape(1, n, 4)
    return iou, grad_boxes.to(box_dtype)
