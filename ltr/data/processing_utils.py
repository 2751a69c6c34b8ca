"""Cropping, box jittering, proposal sampling and IoU helpers used by the data processing.

Conventions (as in pytracking): images are numpy HxWxC arrays, boxes are ``[x, y, w, h]`` tensors in pixel
coordinates where pixel ``i`` is centred at ``i`` (OpenCV's convention), so a crop's centre is ``(sz-1)/2``.
Random numbers come from the same generators pytracking uses: torch's CPU RNG for jitter / ``rand_uniform`` /
GMM sampling, Python's ``random`` for the Gaussian box perturbation and the choice of ``sigma_factor``.
"""
import math
import random

import cv2 as cv
import numpy as np
import torch
import torch.nn.functional as F

from ltr.data.bounding_box_utils import rect_to_rel, rel_to_rect


def _box_values(box, name):
    """The 4 floats of a box tensor/array, with a clear error for anything else."""
    values = torch.as_tensor(box).reshape(-1)
    if values.numel() != 4:
        raise ValueError("{}: expected a box [x, y, w, h] with 4 values, got {} values".format(name, values.numel()))
    return [float(v) for v in values.tolist()]


def _check_image(im, name):
    if not isinstance(im, np.ndarray) or im.ndim not in (2, 3):
        raise ValueError("{}: expected a numpy image HxW or HxWxC, got {}".format(
            name, type(im).__name__ if not isinstance(im, np.ndarray) else 'array of shape {}'.format(im.shape)))


def sample_target(im, target_bb, search_area_factor, output_sz=None, mask=None, exact_border=False):
    """Crop a square region of area ``search_area_factor^2 * w * h`` centred on ``target_bb`` and resize it.

    Returns ``(crop, resize_factor)`` or ``(crop, resize_factor, mask_crop)`` when a mask is given.
    Outside the image the crop replicates the border pixels (the mask is zero-padded).

    Quirk kept from pytracking: the right/bottom padding is computed as ``x2 - W + 1``, so a crop that reaches
    exactly the image border drops the last image column/row and replicates the one before it. Pass
    ``exact_border=True`` to use ``x2 - W`` instead (not pytracking's behaviour; off by default).
    """
    _check_image(im, 'sample_target(im)')
    x, y, w, h = _box_values(target_bb, 'sample_target(target_bb)')
    if not all(math.isfinite(v) for v in (x, y, w, h)) or w < 0 or h < 0:
        raise ValueError('sample_target(target_bb): invalid box [x, y, w, h] = {}'.format([x, y, w, h]))

    crop_sz = math.ceil(math.sqrt(w * h) * search_area_factor)
    if crop_sz < 1:
        raise Exception('Too small bounding box.')

    # Python round (half to even), as pytracking.
    x1 = round(x + 0.5 * w - crop_sz * 0.5)
    x2 = x1 + crop_sz
    y1 = round(y + 0.5 * h - crop_sz * 0.5)
    y2 = y1 + crop_sz

    border_extra = 0 if exact_border else 1
    x1_pad = max(0, -x1)
    x2_pad = max(x2 - im.shape[1] + border_extra, 0)
    y1_pad = max(0, -y1)
    y2_pad = max(y2 - im.shape[0] + border_extra, 0)

    im_crop = im[y1 + y1_pad:y2 - y2_pad, x1 + x1_pad:x2 - x2_pad, ...]
    if im_crop.size == 0:
        raise ValueError('sample_target: the crop around box {} lies entirely outside the {}x{} image'.format(
            [x, y, w, h], im.shape[1], im.shape[0]))
    im_crop_padded = cv.copyMakeBorder(im_crop, y1_pad, y2_pad, x1_pad, x2_pad, cv.BORDER_REPLICATE)

    mask_crop_padded = None
    if mask is not None:
        mask_crop = mask[y1 + y1_pad:y2 - y2_pad, x1 + x1_pad:x2 - x2_pad]
        mask_crop_padded = F.pad(mask_crop, pad=(x1_pad, x2_pad, y1_pad, y2_pad), mode='constant', value=0)

    if output_sz is not None:
        resize_factor = output_sz / crop_sz
        im_crop_padded = cv.resize(im_crop_padded, (output_sz, output_sz))
        if mask is None:
            return im_crop_padded, resize_factor
        mask_crop_padded = F.interpolate(mask_crop_padded[None, None].float(), (output_sz, output_sz),
                                         mode='bilinear')[0, 0]
        return im_crop_padded, resize_factor, mask_crop_padded

    if mask is None:
        return im_crop_padded, 1.0
    return im_crop_padded, 1.0, mask_crop_padded


def transform_image_to_crop(box_in: torch.Tensor, box_extract: torch.Tensor, resize_factor: float,
                            crop_sz: torch.Tensor) -> torch.Tensor:
    """Map ``box_in`` (image coordinates) into the crop that :func:`sample_target` cut around ``box_extract``.

    The crop centre is ``(crop_sz - 1) / 2`` (pixel-centre convention).
    """
    box_extract_center = box_extract[0:2] + 0.5 * box_extract[2:4]
    box_in_center = box_in[0:2] + 0.5 * box_in[2:4]
    box_out_center = (crop_sz - 1) / 2 + (box_in_center - box_extract_center) * resize_factor
    box_out_wh = box_in[2:4] * resize_factor
    return torch.cat((box_out_center - 0.5 * box_out_wh, box_out_wh))


def jittered_center_crop(frames, box_extract, box_gt, search_area_factor, output_sz, masks=None,
                         exact_border=False):
    """Crop every frame around its ``box_extract`` and express ``box_gt`` in crop coordinates.

    Returns ``(frames_crop, boxes_crop, masks_crop)``; ``masks_crop`` is None when no masks are given.
    """
    if not (len(frames) == len(box_extract) == len(box_gt)):
        raise ValueError('jittered_center_crop: got {} frames, {} extract boxes and {} gt boxes; they must match'
                         .format(len(frames), len(box_extract), len(box_gt)))
    if masks is None:
        crops = [sample_target(f, a, search_area_factor, output_sz, exact_border=exact_border)
                 for f, a in zip(frames, box_extract)]
        frames_crop, resize_factors = zip(*crops)
        masks_crop = None
    else:
        crops = [sample_target(f, a, search_area_factor, output_sz, m, exact_border=exact_border)
                 for f, a, m in zip(frames, box_extract, masks)]
        frames_crop, resize_factors, masks_crop = zip(*crops)
        masks_crop = list(masks_crop)

    crop_sz = torch.Tensor([output_sz, output_sz])
    boxes_crop = [transform_image_to_crop(a_gt, a_ex, rf, crop_sz)
                  for a_gt, a_ex, rf in zip(box_gt, box_extract, resize_factors)]
    return list(frames_crop), boxes_crop, masks_crop


def iou(reference, proposals):
    """IoU of ``reference`` (1x4 or Nx4) with each of ``proposals`` (Nx4); continuous ``[x, y, w, h]``, no +1."""
    tl = torch.max(reference[:, :2], proposals[:, :2])
    br = torch.min(reference[:, :2] + reference[:, 2:], proposals[:, :2] + proposals[:, 2:])
    sz = (br - tl).clamp(0)
    intersection = sz.prod(dim=1)
    union = reference[:, 2:].prod(dim=1) + proposals[:, 2:].prod(dim=1) - intersection
    return intersection / union


def rand_uniform(a, b, shape=1):
    """Uniform samples in [a, b) from torch's CPU RNG, as a tensor of ``shape``."""
    return (b - a) * torch.rand(shape) + a


def perturb_box(box, min_iou=0.5, sigma_factor=0.1):
    """A Gaussian perturbation of ``box`` whose IoU with it exceeds ``min_iou``.

    ``sigma_factor`` (float, 4-vector, or a list of those to pick from with ``random.choice``) scales the std
    relative to ``sqrt(w*h)``. Up to 100 tries; after each failure the std shrinks by 10%. Returns
    ``(box_perturbed, iou)``; if every try fails the last one is returned (as pytracking does).
    """
    if isinstance(sigma_factor, list):
        c_sigma_factor = random.choice(sigma_factor)
    else:
        c_sigma_factor = sigma_factor
    if not isinstance(c_sigma_factor, torch.Tensor):
        c_sigma_factor = c_sigma_factor * torch.ones(4)

    # Plain floats inside the loop (pytracking does this with 0-d tensors; same draws and decisions, ~4x faster).
    bx, by, bw, bh = _box_values(box, 'perturb_box(box)')
    perturb_factor = [float(v) for v in (math.sqrt(bw * bh) * c_sigma_factor.float()).tolist()]
    box_ref = torch.as_tensor(box, dtype=torch.float32).view(1, 4)
    c_x = bx + 0.5 * bw
    c_y = by + 0.5 * bh

    box_per = None
    for _ in range(100):
        c_x_per = random.gauss(c_x, perturb_factor[0])
        c_y_per = random.gauss(c_y, perturb_factor[1])
        w_per = random.gauss(bw, perturb_factor[2])
        h_per = random.gauss(bh, perturb_factor[3])

        # Degenerate sizes are replaced by a random fraction of the original size (torch RNG).
        if w_per <= 1:
            w_per = bw * rand_uniform(0.15, 0.5).item()
        if h_per <= 1:
            h_per = bh * rand_uniform(0.15, 0.5).item()

        box_per = torch.Tensor([c_x_per - 0.5 * w_per, c_y_per - 0.5 * h_per, w_per, h_per]).round()
        if box_per[2] <= 1:
            box_per[2] = bw * rand_uniform(0.15, 0.5).item()
        if box_per[3] <= 1:
            box_per[3] = bh * rand_uniform(0.15, 0.5).item()

        if _iou_exceeds(box_ref, box_per, min_iou):
            return box_per, iou(box_ref, box_per.view(1, 4))
        perturb_factor = [f * 0.9 for f in perturb_factor]
    return box_per, iou(box_ref, box_per.view(1, 4))


def _iou_exceeds(box_ref, box_per, min_iou):
    """``iou(box_ref, box_per) > min_iou``, in Python floats unless too close to call (then in float32 torch)."""
    ax, ay, aw, ah = box_ref.view(-1).tolist()
    px, py, pw, ph = box_per.tolist()
    inter = max(0.0, min(ax + aw, px + pw) - max(ax, px)) * max(0.0, min(ay + ah, py + ph) - max(ay, py))
    value = inter / (aw * ah + pw * ph - inter)
    if abs(value - min_iou) > 1e-5:
        return value > min_iou
    return bool(iou(box_ref, box_per.view(1, 4)) > min_iou)


# Kept for pytracking API compatibility; not on ATOM's path.
def gauss_1d(sz, sigma, center, end_pad=0, density=False):
    """Gaussians on the grid ``-(sz-1)/2 ... (sz-1)/2 + end_pad``, one row per centre in ``center``."""
    k = torch.arange(-(sz - 1) / 2, (sz + 1) / 2 + end_pad).reshape(1, -1)
    gauss = torch.exp(-1.0 / (2 * sigma ** 2) * (k - center.reshape(-1, 1)) ** 2)
    if density:
        gauss = gauss / (math.sqrt(2 * math.pi) * sigma)
    return gauss


# Kept for pytracking API compatibility; not on ATOM's path.
def gauss_2d(sz, sigma, center, end_pad=(0, 0), density=False):
    """Separable 2-D Gaussians, ``(num_centers, sz[1]+end_pad[1], sz[0]+end_pad[0])``; ``center`` is Nx2 (x, y)."""
    if isinstance(sigma, (float, int)):
        sigma = (sigma, sigma)
    return gauss_1d(sz[0].item(), sigma[0], center[:, 0], end_pad[0], density).reshape(center.shape[0], 1, -1) * \
        gauss_1d(sz[1].item(), sigma[1], center[:, 1], end_pad[1], density).reshape(center.shape[0], -1, 1)


# Kept for pytracking API compatibility; not on ATOM's path.
def gaussian_label_function(target_bb, sigma_factor, kernel_sz, feat_sz, image_sz, end_pad_if_even=True,
                            density=False, uni_bias=0):
    """Gaussian score labels on the feature grid, centred on the target centre (DiMP-style labels)."""
    if isinstance(kernel_sz, (float, int)):
        kernel_sz = (kernel_sz, kernel_sz)
    if isinstance(feat_sz, (float, int)):
        feat_sz = (feat_sz, feat_sz)
    if isinstance(image_sz, (float, int)):
        image_sz = (image_sz, image_sz)
    image_sz = torch.Tensor(image_sz)
    feat_sz = torch.Tensor(feat_sz)

    target_center = target_bb[:, 0:2] + 0.5 * target_bb[:, 2:4]
    target_center_norm = (target_center - image_sz / 2) / image_sz
    center = feat_sz * target_center_norm + 0.5 * torch.Tensor([(kernel_sz[0] + 1) % 2, (kernel_sz[1] + 1) % 2])
    sigma = sigma_factor * feat_sz.prod().sqrt().item()

    if end_pad_if_even:
        end_pad = (int(kernel_sz[0] % 2 == 0), int(kernel_sz[1] % 2 == 0))
    else:
        end_pad = (0, 0)

    gauss_label = gauss_2d(feat_sz, sigma, center, end_pad, density=density)
    if density:
        sz = (feat_sz + torch.Tensor(end_pad)).prod()
        return (1.0 - uni_bias) * gauss_label + uni_bias / sz
    return gauss_label + uni_bias


# Kept for pytracking API compatibility; not on ATOM's path.
def gauss_density_centered(x, std):
    """Density of N(0, std^2) at x (elementwise)."""
    return torch.exp(-0.5 * (x / std) ** 2) / (math.sqrt(2 * math.pi) * std)


# Kept for pytracking API compatibility; not on ATOM's path.
def gmm_density_centered(x, std):
    """Density of an equally weighted, zero-mean, diagonal GMM.

    ``std`` is ``(1, dims, components)`` (as ``sample_gmm*`` pass it); ``x`` is ``(N, dims)`` (or already
    ``(N, dims, 1)``). Returns ``(N,)``.
    """
    if x.dim() == std.dim() - 1:
        x = x.unsqueeze(-1)
    elif not (x.dim() == std.dim() and x.shape[-1] == 1):
        raise ValueError('gmm_density_centered: last dimension of std must be the GMM components; '
                         'got x {} and std {}'.format(tuple(x.shape), tuple(std.shape)))
    return gauss_density_centered(x, std).prod(-2).mean(-1)


# Kept for pytracking API compatibility; not on ATOM's path.
def sample_gmm_centered(std, num_samples=1):
    """Samples from a zero-mean diagonal GMM (std: ``(dims, components)``); returns ``(x, density)``."""
    num_components = std.shape[-1]
    num_dims = std.numel() // num_components
    std = std.view(1, num_dims, num_components)

    k = torch.randint(num_components, (num_samples,), dtype=torch.int64)
    std_samp = std[0, :, k].t()
    x_centered = std_samp * torch.randn(num_samples, num_dims)
    prob_dens = gmm_density_centered(x_centered, std)
    return x_centered, prob_dens


# Kept for pytracking API compatibility; not on ATOM's path.
def sample_gmm(mean, std, num_samples=1):
    """Samples from a diagonal GMM with component-shared ``mean``; returns ``(x, density of x - mean)``."""
    num_dims = mean.numel()
    num_components = std.shape[-1]
    mean = mean.view(1, num_dims)
    std = std.view(1, -1, num_components)

    k = torch.randint(num_components, (num_samples,), dtype=torch.int64)
    std_samp = std[0, :, k].t()
    x_centered = std_samp * torch.randn(num_samples, num_dims)
    x = x_centered + mean
    prob_dens = gmm_density_centered(x_centered, std)
    return x, prob_dens


# Kept for pytracking API compatibility; not on ATOM's path.
def sample_box_gmm(mean_box, proposal_sigma, gt_sigma=None, num_samples=1, add_mean_box=False):
    """Sample proposals around ``mean_box`` from a GMM in the relative box space.

    ``proposal_sigma`` is a list of ``(center_std, size_std)`` per component. Returns
    ``(proposals, proposal_density, gt_density)``.
    """
    center_std = torch.Tensor([s[0] for s in proposal_sigma])
    sz_std = torch.Tensor([s[1] for s in proposal_sigma])
    std = torch.stack([center_std, center_std, sz_std, sz_std])

    mean_box = mean_box.view(1, 4)
    sz_norm = mean_box[:, 2:].clone()

    proposals_rel_centered, proposal_density = sample_gmm_centered(std, num_samples)
    mean_box_rel = rect_to_rel(mean_box, sz_norm)
    proposals_rel = proposals_rel_centered + mean_box_rel
    proposals = rel_to_rect(proposals_rel, sz_norm)

    if gt_sigma is None or (gt_sigma[0] == 0 and gt_sigma[1] == 0):
        gt_density = torch.zeros_like(proposal_density)
    else:
        std_gt = torch.Tensor([gt_sigma[0], gt_sigma[0], gt_sigma[1], gt_sigma[1]]).view(1, 4)
        gt_density = gauss_density_centered(proposals_rel_centered, std_gt).prod(-1)

    if add_mean_box:
        proposals = torch.cat((mean_box, proposals))
        proposal_density = torch.cat((torch.Tensor([-1]), proposal_density))
        gt_density = torch.cat((torch.Tensor([1]), gt_density))

    return proposals, proposal_density, gt_density


# Kept for pytracking API compatibility; not on ATOM's path.
def find_local_maxima(scores, th, ks):
    """Local maxima above ``th`` in a ``(..., H, W)`` score map within a ``ks``x``ks`` window.

    Returns ``(coords, values)`` sorted by decreasing score; ``coords`` are (row, col) over the last two dims.
    """
    scores_2d = scores.reshape(1, 1, *scores.shape[-2:])
    scores_max = F.max_pool2d(scores_2d, kernel_size=ks, stride=1, padding=ks // 2)
    peak_mask = (scores_2d == scores_max) & (scores_2d > th)
    coords = torch.nonzero(peak_mask[0, 0])
    intensities = scores_2d[peak_mask]
    order = torch.argsort(intensities, descending=True)
    return coords[order], intensities[order]


# ---- DiMP-era cropping (not used by ATOM's training; kept for API parity) ----

def _crop_with_padding(im, x1, y1, x2, y2, mask=None):
    """im[y1:y2, x1:x2] with replicated borders outside the image (mask: zero padding).

    Same right/bottom "+1" padding quirk as :func:`sample_target`.
    """
    x1_pad = max(0, -x1)
    x2_pad = max(x2 - im.shape[1] + 1, 0)
    y1_pad = max(0, -y1)
    y2_pad = max(y2 - im.shape[0] + 1, 0)
    im_crop = im[y1 + y1_pad:y2 - y2_pad, x1 + x1_pad:x2 - x2_pad, ...]
    if im_crop.size == 0:
        raise ValueError('crop x [{}, {}), y [{}, {}) lies entirely outside the {}x{} image'.format(
            x1, x2, y1, y2, im.shape[1], im.shape[0]))
    im_crop_padded = cv.copyMakeBorder(im_crop, y1_pad, y2_pad, x1_pad, x2_pad, cv.BORDER_REPLICATE)
    mask_crop_padded = None
    if mask is not None:
        mask_crop = mask[y1 + y1_pad:y2 - y2_pad, x1 + x1_pad:x2 - x2_pad]
        mask_crop_padded = F.pad(mask_crop, pad=(x1_pad, x2_pad, y1_pad, y2_pad), mode='constant', value=0)
    return im_crop_padded, mask_crop_padded


# Kept for pytracking API compatibility; not on ATOM's path.
def sample_target_adaptive(im, target_bb, search_area_factor, output_sz, mode='replicate', max_scale_change=None,
                           mask=None):
    """Crop of area ``search_area_factor^2 * w * h`` with the aspect ratio of ``output_sz`` (w, h).

    mode: 'replicate' pads outside the image; 'inside' shrinks the crop (by at most ``max_scale_change``) and
    shifts it to fit inside the image; 'inside_major' does so for the major dimension only.
    Returns ``(crop, crop_box)`` (+ ``mask_crop``), ``crop_box = [x1, y1, w, h]`` in image coordinates.
    """
    _check_image(im, 'sample_target_adaptive(im)')
    if mode not in ('replicate', 'inside', 'inside_major'):
        raise ValueError("sample_target_adaptive(mode): expected 'replicate', 'inside' or 'inside_major', got {!r}"
                         .format(mode))
    if max_scale_change is None:
        max_scale_change = float('inf')
    if isinstance(output_sz, (float, int)):
        output_sz = (output_sz, output_sz)
    output_sz = torch.Tensor(output_sz)

    im_h, im_w = im.shape[0:2]
    bbx, bby, bbw, bbh = _box_values(target_bb, 'sample_target_adaptive(target_bb)')
    area_ratio = math.sqrt(bbw * bbh / output_sz.prod().item())
    crop_sz_x, crop_sz_y = (output_sz * area_ratio * search_area_factor).ceil().long().tolist()

    if mode in ('inside', 'inside_major'):
        rescale_factor = [crop_sz_x / im_w, crop_sz_y / im_h]
        rescale_factor = max(rescale_factor) if mode == 'inside' else min(rescale_factor)
        rescale_factor = min(max(1, rescale_factor), max_scale_change)
        crop_sz_x = math.floor(crop_sz_x / rescale_factor)
        crop_sz_y = math.floor(crop_sz_y / rescale_factor)

    if crop_sz_x < 1 or crop_sz_y < 1:
        raise Exception('Too small bounding box.')

    x1 = round(bbx + 0.5 * bbw - crop_sz_x * 0.5)
    x2 = x1 + crop_sz_x
    y1 = round(bby + 0.5 * bbh - crop_sz_y * 0.5)
    y2 = y1 + crop_sz_y

    if mode in ('inside', 'inside_major'):
        # Move the crop inside the image; if it is larger than the image, centre it on the image.
        shift_x = max(0, -x1) + min(0, im_w - x2)
        x1, x2 = x1 + shift_x, x2 + shift_x
        shift_y = max(0, -y1) + min(0, im_h - y2)
        y1, y2 = y1 + shift_y, y2 + shift_y
        out_x = (max(0, -x1) + max(0, x2 - im_w)) // 2
        out_y = (max(0, -y1) + max(0, y2 - im_h)) // 2
        shift_x = (-x1 - out_x) * (out_x > 0)
        shift_y = (-y1 - out_y) * (out_y > 0)
        x1, x2, y1, y2 = x1 + shift_x, x2 + shift_x, y1 + shift_y, y2 + shift_y

    im_crop_padded, mask_crop_padded = _crop_with_padding(im, x1, y1, x2, y2, mask)
    im_out = cv.resize(im_crop_padded, tuple(output_sz.long().tolist()))
    crop_box = torch.Tensor([x1, y1, x2 - x1, y2 - y1])
    if mask is None:
        return im_out, crop_box
    mask_out = F.interpolate(mask_crop_padded[None, None].float(), tuple(output_sz.flip(0).long().tolist()),
                             mode='nearest')[0, 0]
    return im_out, crop_box, mask_out


# Kept for pytracking API compatibility; not on ATOM's path.
def crop_and_resize(im, box, crop_bb, output_sz, mask=None):
    """Cut ``crop_bb`` (integer [x, y, w, h]) out of ``im``, resize to ``output_sz`` and map ``box`` into it."""
    _check_image(im, 'crop_and_resize(im)')
    if isinstance(output_sz, (float, int)):
        output_sz = (output_sz, output_sz)
    cx, cy, cw, ch = [int(round(v)) for v in _box_values(crop_bb, 'crop_and_resize(crop_bb)')]
    if cw < 1 or ch < 1:
        raise Exception('Too small bounding box.')
    im_crop_padded, mask_crop_padded = _crop_with_padding(im, cx, cy, cx + cw, cy + ch, mask)
    im_out = cv.resize(im_crop_padded, tuple(int(s) for s in output_sz))
    rescale_factor = output_sz[0] / cw

    box_crop = box.clone().float()
    box_crop[0] -= cx
    box_crop[1] -= cy
    box_crop *= rescale_factor
    if mask is None:
        return im_out, box_crop
    mask_out = F.interpolate(mask_crop_padded[None, None].float(), (int(output_sz[1]), int(output_sz[0])),
                             mode='nearest')[0, 0]
    return im_out, box_crop, mask_out


# Kept for pytracking API compatibility; not on ATOM's path.
def sample_target_from_crop_region(im, crop_box, output_sz):
    """Cut the integer region ``crop_box`` ([x, y, w, h]) out of ``im`` (replicated borders), resize it."""
    _check_image(im, 'sample_target_from_crop_region(im)')
    if isinstance(output_sz, (float, int)):
        output_sz = (output_sz, output_sz)
    x1, y1, w, h = [int(round(v)) for v in _box_values(crop_box, 'sample_target_from_crop_region(crop_box)')]
    if w < 1 or h < 1:
        raise Exception('Too small bounding box.')
    im_crop_padded, _ = _crop_with_padding(im, x1, y1, x1 + w, y1 + h)
    return cv.resize(im_crop_padded, tuple(int(s) for s in output_sz))


# Kept for pytracking API compatibility; not on ATOM's path.
def transform_box_to_crop(box: torch.Tensor, crop_box: torch.Tensor, crop_sz: torch.Tensor) -> torch.Tensor:
    """Map ``box`` from image coordinates into a crop ``crop_box`` resized to ``crop_sz`` (w, h)."""
    box_out = box.clone()
    box_out[:2] -= crop_box[:2]
    scale_factor = crop_sz / crop_box[2:]
    box_out[:2] *= scale_factor
    box_out[2:] *= scale_factor
    return box_out


# Kept for pytracking API compatibility; not on ATOM's path.
def target_image_crop(frames, box_extract, box_gt, search_area_factor, output_sz, mode='replicate',
                      max_scale_change=None, masks=None):
    """:func:`sample_target_adaptive` on every frame; returns crops and ``box_gt`` in crop coordinates."""
    if isinstance(output_sz, (float, int)):
        output_sz = (output_sz, output_sz)
    if masks is None:
        out = [sample_target_adaptive(f, a, search_area_factor, output_sz, mode, max_scale_change)
               for f, a in zip(frames, box_extract)]
        frames_crop, crop_boxes = zip(*out)
    else:
        out = [sample_target_adaptive(f, a, search_area_factor, output_sz, mode, max_scale_change, mask=m)
               for f, a, m in zip(frames, box_extract, masks)]
        frames_crop, crop_boxes, masks_crop = zip(*out)

    crop_sz = torch.Tensor(output_sz)
    box_crop = [transform_box_to_crop(b, c, crop_sz) for b, c in zip(box_gt, crop_boxes)]
    if masks is None:
        return list(frames_crop), box_crop
    return list(frames_crop), box_crop, list(masks_crop)
