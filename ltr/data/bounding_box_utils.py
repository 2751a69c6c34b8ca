"""Bounding-box format conversions.

Boxes are ``[x, y, w, h]`` (top-left corner and size) unless a function says otherwise. All functions work on
the last dimension, so any batch shape ``(..., 4)`` is accepted.
"""
import torch


def _check_last_dim(bb, name):
    if not torch.is_tensor(bb) or bb.shape[-1] != 4:
        raise ValueError("{}: expected a tensor with last dimension 4 ([x, y, w, h]), got {}".format(
            name, tuple(bb.shape) if torch.is_tensor(bb) else type(bb).__name__))


def rect_to_rel(bb, sz_norm=None):
    """Convert ``[x, y, w, h]`` to the 'relative' box space ``[cx/sw, cy/sh, log w, log h]``.

    ``sz_norm`` (``(..., 2)``) is the size the centre is normalised by; by default the box's own size.
    """
    _check_last_dim(bb, 'rect_to_rel(bb)')
    center = bb[..., :2] + 0.5 * bb[..., 2:]
    if sz_norm is None:
        center_rel = center / bb[..., 2:]
    else:
        center_rel = center / sz_norm
    size_rel = torch.log(bb[..., 2:])
    return torch.cat((center_rel, size_rel), dim=-1)


def rel_to_rect(bb, sz_norm=None):
    """Inverse of :func:`rect_to_rel`."""
    _check_last_dim(bb, 'rel_to_rect(bb)')
    size = torch.exp(bb[..., 2:])
    if sz_norm is None:
        center = bb[..., :2] * size
    else:
        center = bb[..., :2] * sz_norm
    top_left = center - 0.5 * size
    return torch.cat((top_left, size), dim=-1)


def _extent_of(mask2d):
    """[x_min, y_min, x_max, y_max] (inclusive pixel indices) of the non-zero pixels, zeros if there are none."""
    cols = mask2d.sum(dim=-2).nonzero()
    rows = mask2d.sum(dim=-1).nonzero()
    if len(cols) > 0 and len(rows) > 0:
        return [cols.min().item(), rows.min().item(), cols.max().item(), rows.max().item()]
    return [0, 0, 0, 0]


def _format_extent(bboxes, fmt):
    """Turn inclusive extents [x1, y1, x2, y2] into the requested format ('v', 't' or 'c')."""
    if fmt == 'v':
        return bboxes
    top_left = bboxes[..., :2]
    size = bboxes[..., 2:] - top_left + 1  # inclusive pixel extent: a single pixel has size 1
    if fmt == 'c':
        return torch.cat((top_left + 0.5 * size, size), dim=-1)
    if fmt == 't':
        return torch.cat((top_left, size), dim=-1)
    raise ValueError("Undefined bounding box layout '{}' (use 'c', 't' or 'v')".format(fmt))


def masks_to_bboxes(mask, fmt='c'):
    """Bounding boxes of binary masks ``(..., H, W)``.

    fmt: 'c' -> ``[cx, cy, w, h]``, 't' -> ``[x, y, w, h]``, 'v' -> ``[x1, y1, x2, y2]`` (inclusive corners).
    Sizes are inclusive (a one-pixel mask has w = h = 1). Empty masks give all-zero extents.
    """
    if not torch.is_tensor(mask) or mask.dim() < 2:
        raise ValueError("masks_to_bboxes(mask): expected a tensor of shape (..., H, W)")
    batch_shape = mask.shape[:-2]
    flat = mask.reshape((-1,) + tuple(mask.shape[-2:]))
    extents = [_extent_of(m) for m in flat]
    bboxes = torch.tensor(extents, dtype=torch.float32, device=mask.device).reshape(tuple(batch_shape) + (4,))
    return _format_extent(bboxes, fmt)


def masks_to_bboxes_multi(mask, ids, fmt='c'):
    """One box per object id in a label mask ``(H, W)``; returns a list of 4-element tensors."""
    if not torch.is_tensor(mask) or mask.dim() != 2:
        raise ValueError("masks_to_bboxes_multi(mask): expected a 2-D label tensor (H, W)")
    out = []
    for obj_id in ids:
        extent = torch.tensor(_extent_of((mask == obj_id).float()), dtype=torch.float32, device=mask.device)
        out.append(_format_extent(extent, fmt))
    return out
