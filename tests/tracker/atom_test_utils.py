"""Helpers for the tracker tests: a small synthetic video and fast ATOM parameters."""
import numpy as np


def make_video(num_frames=11, size=(120, 160), box=(60, 40, 30, 24), step=(3, 2), seed=0):
    """Frames (HxWx3 uint8) with a textured rectangle moving by `step` (dx, dy) per frame over a textured
    background, and the true boxes [x, y, w, h]."""
    rng = np.random.default_rng(seed)
    H, W = size
    background = rng.integers(0, 256, size=(H // 4, W // 4, 3)).astype(np.uint8).repeat(4, 0).repeat(4, 1)
    x0, y0, w, h = box
    target = rng.integers(0, 256, size=(h, w, 3)).astype(np.uint8)
    target[h // 3:2 * h // 3, :] = (255, 40, 40)
    frames, boxes = [], []
    for k in range(num_frames):
        x, y = x0 + step[0] * k, y0 + step[1] * k
        im = background.copy()
        im[y:y + h, x:x + w] = target
        frames.append(im)
        boxes.append([x, y, w, h])
    return frames, boxes


def small_params(net, seed=0, **overrides):
    """ATOM's default parameters with a 128x128 sample (8x8 features) so the tests stay fast on a CPU."""
    from pytracking.parameter.atom.default import parameters
    params = parameters()
    params.use_gpu = False
    params.seed = seed
    params.max_image_sample_size = (8 * 16) ** 2
    params.min_image_sample_size = (8 * 16) ** 2
    params.features.features[0].net_path = net
    for k, v in overrides.items():
        setattr(params, k, v)
    return params
