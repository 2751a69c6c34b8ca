"""Validation of what a caller hands to ATOM: the first image and `init_bbox` (initialize) and the frames (track).

Every rejected input raises a ValueError that names the argument and says what is wrong, instead of a crash deep
inside the resize or a tracker that silently follows nothing. What is accepted:

image (initialize and track)
    A numpy array HxW (grey), HxWx1 (grey) or HxWx3 (RGB), at least 1x1 pixel. dtype uint8 or floating point;
    float images are read on the same 0-255 scale as uint8 (as pytracking does: no rescaling), and must be finite.
    Other integer types (uint16, ...), bool, complex and object arrays, 4-channel (RGBA) images and anything that
    is not a numpy array are refused. HxW is turned into HxWx1.

init_bbox (initialize)
    [x, y, w, h] in pixels (list, tuple, numpy array or tensor of 4 real numbers): finite, w > 0 and h > 0.
    Sub-pixel boxes are accepted (the tracker's search area has a minimum size). A box that lies partly outside
    the image is accepted as it is, and so is a box larger than the image, up to sqrt(w*h) <= 20 x the shorter
    image side (beyond that the search-area crop would hold no image pixel). A box that does not overlap the
    image at all is refused: there is nothing to learn the target from (the first-frame samples would be pure
    border padding), so tracking it could only return meaningless boxes.

frames given to track()
    Same rules as the first image, plus: the same height and width as the first frame (the tracker's state is in
    that frame's pixel coordinates, so a resized video would be tracked wrongly without any error) and the same
    colour kind (grey HxW / HxWx1, or RGB) as the first frame. The dtype may differ (uint8 and float frames are
    both read on the 0-255 scale, so mixing them changes nothing). track() before initialize() is refused.
"""
import math
import numbers

import numpy as np

_MAX_SIDE = 1 << 15   # 32768 px: larger is surely not a video frame (and the crops would not fit in memory)
# A box may be larger than the image (the tracker shrinks it to the image size on the first tracked frame), but
# not without bound: its search area is cropped with a pre-downsampling by ~search_area_scale * sqrt(w*h) /
# sample size, and once that step exceeds the image's shorter side the crop holds no image pixel at all.
MAX_BOX_TO_IMAGE = 20


def _describe(a):
    return 'shape {} dtype {}'.format(tuple(a.shape), a.dtype)


def check_image(image, what='image'):
    """Return `image` as an HxWxC numpy array (C = 1 or 3), or raise ValueError naming `what` and the problem."""
    if not isinstance(image, np.ndarray):
        raise ValueError('{} must be a numpy array (HxWx3 RGB, or HxW / HxWx1 grey), got {}'.format(
            what, type(image).__name__))
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3:
        raise ValueError('{} must be HxWx3 (RGB) or HxW / HxWx1 (grey), got {}'.format(what, _describe(image)))
    if image.shape[2] not in (1, 3):
        raise ValueError('{} must have 1 (grey) or 3 (RGB) channels, got {} channels ({}); drop an alpha channel '
                         'first'.format(what, image.shape[2], _describe(image)))
    h, w = image.shape[:2]
    if h < 1 or w < 1:
        raise ValueError('{} is empty ({})'.format(what, _describe(image)))
    if h > _MAX_SIDE or w > _MAX_SIDE:
        raise ValueError('{} is {}x{} pixels; at most {} px per side are supported'.format(what, w, h, _MAX_SIDE))
    if image.dtype == np.uint8:
        return image
    if np.issubdtype(image.dtype, np.floating):
        if not np.isfinite(image).all():
            raise ValueError('{} holds NaN or infinite pixel values ({})'.format(what, _describe(image)))
        return image
    raise ValueError('{} must be uint8 or floating point (values 0-255), got dtype {}; convert it first (e.g. to '
                     'uint8)'.format(what, image.dtype))


def check_init_bbox(info, image_shape):
    """Return `info['init_bbox']` as a list of 4 floats [x, y, w, h], or raise ValueError naming `init_bbox`."""
    if not isinstance(info, dict) or info.get('init_bbox') is None:
        raise ValueError('info must be a dict holding "init_bbox" = [x, y, w, h], got {!r}'.format(info))
    box = info['init_bbox']
    try:
        values = np.asarray(box.detach().cpu() if hasattr(box, 'detach') else box, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError('init_bbox must be 4 numbers [x, y, w, h], got {!r}'.format(box)) from None
    if values.size != 4 or isinstance(box, (str, bytes)) or (
            not hasattr(box, 'shape') and not all(isinstance(v, numbers.Real) for v in box)):
        raise ValueError('init_bbox must be 4 numbers [x, y, w, h], got {!r}'.format(box))
    x, y, w, h = (float(v) for v in values)
    if not all(math.isfinite(v) for v in (x, y, w, h)):
        raise ValueError('init_bbox {} holds NaN or infinite values'.format([x, y, w, h]))
    if not (w > 0 and h > 0):
        raise ValueError('init_bbox {} has a non-positive width or height (w={}, h={})'.format([x, y, w, h], w, h))
    H, W = image_shape[:2]
    if x >= W or y >= H or x + w <= 0 or y + h <= 0:
        raise ValueError('init_bbox {} lies entirely outside the {}x{} (WxH) image: the target must overlap the '
                         'first frame'.format([x, y, w, h], W, H))
    if math.sqrt(w * h) > MAX_BOX_TO_IMAGE * min(H, W):
        raise ValueError('init_bbox {} is too large for the {}x{} (WxH) image: its size sqrt(w*h) = {:.4g} px is more '
                         'than {} times the shorter image side'.format([x, y, w, h], W, H, math.sqrt(w * h),
                                                                        MAX_BOX_TO_IMAGE))
    return [x, y, w, h]


def check_initialize_args(image, info):
    """Validate initialize()'s arguments: returns (image as HxWxC, init_bbox as 4 floats)."""
    image = check_image(image, 'image')
    return image, check_init_bbox(info, image.shape)


def frame_signature(image):
    """What later frames must share with the first one: (height, width, channels)."""
    return tuple(image.shape)


def check_track_frame(image, first):
    """Validate a frame given to track() against the first frame's signature; returns it as HxWxC."""
    if first is None:
        raise ValueError('track() called before initialize(): initialize the tracker with the first frame and '
                         'init_bbox first')
    image = check_image(image, 'image (track)')
    if image.shape[:2] != first[:2]:
        raise ValueError('image (track) is {}x{} (WxH) but the first frame was {}x{}: all frames of a sequence '
                         'must have the same size'.format(image.shape[1], image.shape[0], first[1], first[0]))
    if image.shape[2] != first[2]:
        kinds = {1: 'grey', 3: 'RGB'}
        raise ValueError('image (track) is {} but the first frame was {}: all frames of a sequence must have the '
                         'same number of channels'.format(kinds[image.shape[2]], kinds[first[2]]))
    return image
