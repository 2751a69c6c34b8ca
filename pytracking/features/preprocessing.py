"""Image <-> tensor conversion and patch sampling (crop around a position, replicate padding, resize)."""

import numpy as np
import torch
import torch.nn.functional as F


def numpy_to_torch(a: np.ndarray):
    """HxWxC (or HxW) numpy image -> 1xCxHxW float32 tensor. Values are not rescaled (0-255 stays 0-255)."""
    if not isinstance(a, np.ndarray):
        raise TypeError('numpy_to_torch: expected a numpy array, got {}'.format(type(a).__name__))
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3:
        raise ValueError('numpy_to_torch: expected an HxWxC or HxW image, got shape {}'.format(a.shape))
    return torch.from_numpy(np.ascontiguousarray(a)).float().permute(2, 0, 1).unsqueeze(0)


def torch_to_numpy(a: torch.Tensor):
    """1xCxHxW (or CxHxW) tensor -> HxWxC numpy array (a view when possible)."""
    if a.dim() == 4:
        if a.shape[0] != 1:
            raise ValueError('torch_to_numpy: expected a batch of one image, got shape {}'.format(tuple(a.shape)))
        a = a.squeeze(0)
    if a.dim() != 3:
        raise ValueError('torch_to_numpy: expected a 1xCxHxW or CxHxW tensor, got shape {}'.format(tuple(a.shape)))
    return a.detach().permute(1, 2, 0).cpu().numpy()


def _as_2vec(v, name):
    t = torch.as_tensor(v)
    if t.numel() == 1:
        t = t.reshape(1).repeat(2)
    if t.numel() != 2:
        raise ValueError('sample_patch: {} must have two elements (y, x), got {}'.format(name, tuple(t.shape)))
    return t.reshape(2)


def _crop_replicate(im, tl, br, pad_mode):
    """Rows tl[0]..br[0]-1 and cols tl[1]..br[1]-1 of im (1xCxHxW); outside pixels are the nearest edge pixel
    ('replicate') or zero ('constant'). Same result as F.pad with (possibly negative) pads, but also works when
    the window lies completely outside the image."""
    H, W = im.shape[-2], im.shape[-1]
    r0, r1, c0, c1 = int(tl[0]), int(br[0]), int(tl[1]), int(br[1])
    if pad_mode == 'replicate' and r0 < min(r1, H) and max(r0, 0) < r1 and c0 < min(c1, W) and max(c0, 0) < c1:
        # The window overlaps the image: a slice (no copy when it lies inside), edge pixels repeated by F.pad --
        # the same pixels as the gather below, without it (the crop is on every frame's path).
        inner = im[..., max(r0, 0):min(r1, H), max(c0, 0):min(c1, W)]
        pads = (max(0, -c0), max(0, c1 - W), max(0, -r0), max(0, r1 - H))
        return F.pad(inner, pads, mode='replicate') if any(pads) else inner
    rows = torch.arange(r0, r1, device=im.device)
    cols = torch.arange(c0, c1, device=im.device)
    if pad_mode == 'replicate':
        return im.index_select(-2, rows.clamp(0, H - 1)).index_select(-1, cols.clamp(0, W - 1))
    # zero padding
    out = im.index_select(-2, rows.clamp(0, H - 1)).index_select(-1, cols.clamp(0, W - 1))
    out = out * ((rows >= 0) & (rows < H)).view(-1, 1).to(out.dtype) \
        * ((cols >= 0) & (cols < W)).view(1, -1).to(out.dtype)
    return out


def sample_patch(im: torch.Tensor, pos: torch.Tensor, sample_sz: torch.Tensor, output_sz: torch.Tensor = None,
                 mode: str = 'replicate', max_scale_change=None, is_mask=False, round_pos=False, exact_size=False):
    """Sample an image patch of ``sample_sz`` centred at ``pos`` and resize it to ``output_sz``.

    args:
        im - 1xCxHxW image tensor.
        pos - centre (y, x) in pixels.
        sample_sz - size (h, w) of the image region to sample.
        output_sz - size (h, w) of the returned patch (None: no resizing).
        mode - 'replicate' (pad outside with edge pixels), 'inside' (shrink the sample until it fits in the image,
            at most by ``max_scale_change``, and shift it inside), 'inside_major' (as 'inside' for the larger
            dimension).
        is_mask - pad with zeros and resize with nearest neighbour.
        round_pos - fix (off by default): centre the crop at ``pos.round()`` -- the position the trackers
            measure displacements from -- instead of pytracking's ``pos.long()`` (truncation).
        exact_size - fix (off by default): integer crop corners, so an even-sized crop is always exactly
            ``round(sample_sz)`` pixels (pytracking 2019 behaviour). pytracking's current code uses float corners
            truncated toward zero, which makes an even-sized crop one pixel larger whenever its top-left corner
            lies inside the image.
    returns:
        (patch 1xCxhxw, patch_coord 1x4 = [top, left, bottom, right] of the sampled region in image pixels).

    The optional pre-downsampling (by an integer factor ``df`` when the sample is much larger than the output)
    takes every df-th pixel without anti-aliasing, as pytracking does.
    """
    if not isinstance(im, torch.Tensor) or im.dim() != 4:
        raise ValueError('sample_patch: im must be a 1xCxHxW tensor, got {}'.format(
            tuple(im.shape) if isinstance(im, torch.Tensor) else type(im).__name__))
    if mode not in ('replicate', 'inside', 'inside_major'):
        raise ValueError("sample_patch: unknown mode {!r} (expected 'replicate', 'inside' or 'inside_major')".format(
            mode))
    pos = _as_2vec(pos, 'pos')
    sample_sz = _as_2vec(sample_sz, 'sample_sz')
    if output_sz is not None:
        output_sz = _as_2vec(output_sz, 'output_sz')

    posl = (pos.round() if round_pos else pos).long().clone()

    pad_mode = mode
    if mode in ('inside', 'inside_major'):
        pad_mode = 'replicate'
        im_sz = torch.tensor([im.shape[2], im.shape[3]], dtype=torch.float32)
        shrink_factor = sample_sz.float() / im_sz
        shrink_factor = shrink_factor.max() if mode == 'inside' else shrink_factor.min()
        shrink_factor = shrink_factor.clamp(min=1, max=max_scale_change)
        sample_sz = (sample_sz.float() / shrink_factor).long()

    # Pre-downsampling factor
    if output_sz is not None:
        resize_factor = torch.min(sample_sz.float() / output_sz.float()).item()
        df = int(max(int(resize_factor - 0.1), 1))
    else:
        df = 1

    sz = sample_sz.float() / df

    if df > 1:
        offset = posl % df
        posl = (posl - offset) // df
        im2 = im[..., int(offset[0])::df, int(offset[1])::df]
    else:
        im2 = im

    szl = torch.max(sz.round(), torch.tensor([2.])).long()

    if exact_size:
        tl = posl - (szl - 1) // 2
        br = tl + szl
    else:
        tl = posl - (szl - 1) / 2
        br = posl + szl / 2 + 1

    if mode in ('inside', 'inside_major'):
        im2_sz = torch.tensor([im2.shape[2], im2.shape[3]])
        shift = (-tl).clamp(0) - (br - im2_sz).clamp(0)
        tl = tl + shift
        br = br + shift
        outside = torch.div((-tl).clamp(0) + (br - im2_sz).clamp(0), 2, rounding_mode='floor')
        shift = (-tl - outside) * (outside > 0)
        tl = tl + shift
        br = br + shift

    # Crop bounds as pytracking's F.pad arguments: float corners truncated toward zero.
    tl_i = tl.to(torch.int64) if tl.is_floating_point() else tl
    br_i = br.to(torch.int64) if br.is_floating_point() else br
    im_patch = _crop_replicate(im2, tl_i, br_i, 'constant' if is_mask else pad_mode)

    patch_coord = df * torch.cat((tl, br)).view(1, 4)

    if output_sz is None or (im_patch.shape[-2] == output_sz[0] and im_patch.shape[-1] == output_sz[1]):
        return im_patch.clone(), patch_coord

    if not is_mask:
        im_patch = F.interpolate(im_patch, output_sz.long().tolist(), mode='bilinear', align_corners=False)
    else:
        im_patch = F.interpolate(im_patch, output_sz.long().tolist(), mode='nearest')

    return im_patch, patch_coord


def sample_patch_multiscale(im, pos, scales, image_sz, mode: str = 'replicate', max_scale_change=None):
    """One patch per scale: region ``scale * image_sz`` around ``pos``, resized to ``image_sz``.

    Returns (patches Nx C x image_sz, patch_coords Nx4)."""
    if isinstance(scales, (int, float)):
        scales = [scales]
    image_sz = torch.as_tensor(image_sz)
    patches, coords = zip(*(sample_patch(im, pos, s * image_sz, image_sz, mode=mode,
                                         max_scale_change=max_scale_change) for s in scales))
    return torch.cat(list(patches)), torch.cat(list(coords))


def sample_patch_transformed(im, pos, scale, image_sz, transforms, is_mask=False):
    """Sample the region ``scale * image_sz`` around ``pos`` resized to ``image_sz``, then apply each transform
    (``pytracking.features.augmentation``) to it. Returns the concatenated transformed patches."""
    image_sz = torch.as_tensor(image_sz)
    im_patch, _ = sample_patch(im, pos, scale * image_sz, image_sz, is_mask=is_mask)
    return torch.cat([T(im_patch, is_mask=is_mask) for T in transforms])
