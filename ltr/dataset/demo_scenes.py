"""Renders one synthetic-but-real-pixel video sequence for the embedded demo data.

A target patch (a crop of a real photo, with a shape mask) moves over a real background that a virtual camera pans
and zooms over. Boxes are integers and exact: the target is resized to exactly (w, h) pixels and pasted with its
top-left pixel at (x, y), and its mask touches all four sides of that rectangle.

Hard cases (`attributes`) a tracker meets: camera_motion, scale_change, aspect_change, occlusion (partial),
full_occlusion, out_of_view, distractors, illumination, motion_blur, grayscale.
"""
from dataclasses import dataclass, field

import cv2
import numpy as np

from ltr.dataset.demo_sources import OCCLUDERS, load_photo, superellipse_mask

ATTRIBUTES = ('camera_motion', 'scale_change', 'aspect_change', 'occlusion', 'full_occlusion', 'out_of_view',
              'distractors', 'illumination', 'motion_blur', 'grayscale')


@dataclass
class SequenceSpec:
    name: str
    patch: object                 # demo_sources.PatchSpec
    background: str               # scikit-image photo name
    num_frames: int
    image_size: tuple             # (width, height)
    attributes: tuple = ()
    seed: tuple = (0,)            # anything np.random.default_rng accepts


@dataclass
class RenderedSequence:
    frames: list                  # RGB uint8 HxWx3 arrays
    box_full: np.ndarray          # Nx4 int: the whole target rectangle, possibly outside the image
    box: np.ndarray               # Nx4 int: tight box of the target pixels in the image (occluded ones count),
                                  # zeros when fully out of view
    visible_ratio: np.ndarray     # N float: visible target pixels / all target pixels
    out_of_view: np.ndarray       # N bool: no target pixel inside the image
    full_occlusion: np.ndarray    # N bool: inside the image but fully covered by an occluder
    cut_by_image: np.ndarray      # N bool: part of the rectangle lies outside the image
    attributes: tuple = field(default_factory=tuple)


def _reflect(x, lo, hi):
    """Fold x into [lo, hi] like a ball bouncing between walls."""
    span = hi - lo
    if span <= 0:
        return 0.5 * (lo + hi)
    m = np.mod(x - lo, 2 * span)
    return lo + (m if m <= span else 2 * span - m)


def _ramp(t, start, rise, hold):
    """0 before `start`, linear up to 1 over `rise` frames, 1 for `hold` frames, then linearly back to 0."""
    if t < start:
        return 0.0
    if t < start + rise:
        return (t - start) / rise
    if t < start + rise + hold:
        return 1.0
    return max(0.0, 1.0 - (t - start - rise - hold) / rise)


def _resize(img, w, h):
    interp = cv2.INTER_AREA if w < img.shape[1] or h < img.shape[0] else cv2.INTER_LINEAR
    return cv2.resize(img, (int(w), int(h)), interpolation=interp)


def _paste(frame, patch_rgb, mask, x, y):
    """Paste `patch_rgb` where `mask` is set, top-left pixel at (x, y), clipped to the frame.
    Returns the pasted mask on the frame canvas."""
    H, W = frame.shape[:2]
    h, w = mask.shape
    canvas = np.zeros((H, W), dtype=bool)
    fx0, fy0, fx1, fy1 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
    if fx0 >= fx1 or fy0 >= fy1:
        return canvas
    m = mask[fy0 - y:fy1 - y, fx0 - x:fx1 - x]
    region = frame[fy0:fy1, fx0:fx1]
    region[m] = patch_rgb[fy0 - y:fy1 - y, fx0 - x:fx1 - x][m]
    canvas[fy0:fy1, fx0:fx1] = m
    return canvas


def _motion_blur(img, length, angle):
    k = np.zeros((length, length), np.float32)
    c = (length - 1) / 2.0
    dx, dy = np.cos(angle), np.sin(angle)
    for s in np.linspace(-c, c, 4 * length):
        k[int(round(c + s * dy)), int(round(c + s * dx))] = 1.0
    return cv2.filter2D(img, -1, k / k.sum(), borderType=cv2.BORDER_REFLECT101)


class _Trajectory:
    """Centre/size of one moving object: drift + wobble, bouncing inside the frame."""

    def __init__(self, rng, W, H, w0, h0, speed):
        self.W, self.H, self.w0, self.h0 = W, H, w0, h0
        self.c0 = np.array([rng.uniform(0.3, 0.7) * W, rng.uniform(0.3, 0.7) * H])
        theta = rng.uniform(0, 2 * np.pi)
        self.v = speed * np.array([np.cos(theta), np.sin(theta)])
        self.wob_amp = rng.uniform(3, 12, size=2)
        self.wob_freq = rng.uniform(0.05, 0.15, size=2)
        self.wob_phase = rng.uniform(0, 2 * np.pi, size=2)

    def center(self, t, w, h):
        raw = self.c0 + self.v * t + self.wob_amp * np.sin(2 * np.pi * self.wob_freq * t + self.wob_phase)
        # Keep >= 2 px from the border so x, y > 0 (pytracking counts a GT with x or y <= 0 as invalid).
        return np.array([_reflect(raw[0], w / 2 + 2, self.W - w / 2 - 2),
                         _reflect(raw[1], h / 2 + 2, self.H - h / 2 - 2)])


def render_sequence(spec):
    rng = np.random.default_rng(spec.seed)
    W, H = spec.image_size
    T = spec.num_frames
    attrs = set(spec.attributes)
    unknown = attrs - set(ATTRIBUTES)
    if unknown:
        raise ValueError('render_sequence: unknown attributes {} for sequence {}'.format(sorted(unknown), spec.name))
    if 'full_occlusion' in attrs:
        attrs.add('occlusion')
    tau = np.arange(T) / max(T - 1, 1)

    # --- target size over time -----------------------------------------------------------------------------------
    patch = spec.patch.image()
    ph, pw = patch.shape[:2]
    aspect = float(np.clip(pw / ph, 0.3, 3.0))
    side = rng.uniform(0.16, 0.3) * min(W, H)
    if 'scale_change' in attrs:
        factor = rng.uniform(2.0, 2.8)
        grow = rng.random() < 0.5
        scale = np.exp((1 if grow else -1) * np.log(factor) * tau)
        side = side / np.sqrt(factor) if grow else side * np.sqrt(factor) * 0.8
    else:
        scale = np.exp(0.08 * np.sin(2 * np.pi * rng.uniform(0.3, 1.0) * tau + rng.uniform(0, 2 * np.pi)))
    if 'aspect_change' in attrs:
        ar = np.exp(0.45 * np.sin(2 * np.pi * rng.uniform(0.5, 1.0) * tau + rng.uniform(0, 2 * np.pi)))
    else:
        ar = np.ones(T)
    cam_amp = 0.25 if 'camera_motion' in attrs else 0.0
    if 'scale_change' in attrs:
        cam_amp *= 0.4  # keep the zoom wobble from cancelling the target's own scale change
    zoom = np.exp(cam_amp * np.sin(2 * np.pi * rng.uniform(0.4, 0.8) * tau + rng.uniform(0, 2 * np.pi)))
    size = side * scale * zoom
    ws = np.clip(size * np.sqrt(aspect * ar), 6, 0.85 * W)
    hs = np.clip(size / np.sqrt(aspect * ar), 6, 0.85 * H)
    ws, hs = np.round(ws).astype(int), np.round(hs).astype(int)

    # --- target centre over time ---------------------------------------------------------------------------------
    speed = rng.uniform(6, 9) if 'motion_blur' in attrs else rng.uniform(1.0, 3.5)
    traj = _Trajectory(rng, W, H, ws[0], hs[0], speed)
    centers = np.array([traj.center(t, ws[t], hs[t]) for t in range(T)])
    if 'out_of_view' in attrs:
        # Leave the image through one side, stay out for a few frames, come back.
        rise, hold = 5, 3
        start = int(rng.integers(T // 5, max(T // 5 + 1, T - 2 * rise - hold - 1)))
        side_id = int(rng.integers(4))
        axis, sign = side_id % 2, (1 if side_id < 2 else -1)
        t_out = min(start + rise, T - 1)
        extent = (W, H)[axis]
        half = (ws, hs)[axis][t_out] / 2
        c = centers[t_out, axis]
        dist = (extent - c + half + 4) if sign > 0 else (c + half + 4)
        for t in range(T):
            centers[t, axis] += sign * dist * _ramp(t, start, rise, hold)
    xs = np.round(centers[:, 0] - ws / 2).astype(int)
    ys = np.round(centers[:, 1] - hs / 2).astype(int)

    # --- camera over the background ------------------------------------------------------------------------------
    bg_full = load_photo(spec.background)
    bh, bw = bg_full.shape[:2]
    z0 = max(W / (0.7 * bw), H / (0.7 * bh))
    bg = _resize(bg_full, round(bw * z0), round(bh * z0))  # pre-scale with INTER_AREA: no aliasing when zoomed out
    bh, bw = bg.shape[:2]
    pan_amp = (0.12 if 'camera_motion' in attrs else 0.02) * np.array([bw, bh])
    pan_f = rng.uniform(0.3, 0.8, size=2)
    pan_ph = rng.uniform(0, 2 * np.pi, size=2)

    # --- distractors: look-alikes of the target on their own paths -----------------------------------------------
    distractors = []
    if 'distractors' in attrs:
        for _ in range(int(rng.integers(1, 3))):
            gain = rng.uniform(0.85, 1.15, size=3)
            look = np.clip(patch.astype(np.float32) * gain, 0, 255).astype(np.uint8)
            if rng.random() < 0.5:
                look = look[:, ::-1]
            rel = rng.uniform(0.8, 1.15)
            dtraj = _Trajectory(rng, W, H, ws[0] * rel, hs[0] * rel, rng.uniform(1.0, 3.5))
            distractors.append((look, rel, dtraj))

    # --- occluder ------------------------------------------------------------------------------------------------
    occ = None
    if 'occlusion' in attrs:
        t_mid = int(rng.integers(T // 3, max(T // 3 + 1, 2 * T // 3)))
        wm, hm = ws[t_mid], hs[t_mid]
        if 'full_occlusion' in attrs:
            ow, oh, dy = int(1.4 * wm + 12), int(1.4 * hm + 12), 0.0
        else:  # a strip covering about half of the target at its closest
            ow, oh, dy = max(int(0.5 * wm), 4), int(1.5 * hm + 8), 0.0
        oname, oy0, oy1, ox0, ox1 = OCCLUDERS[int(rng.integers(len(OCCLUDERS)))]
        otex = load_photo(oname)[oy0:oy1, ox0:ox1]
        otex = _resize(otex, ow, oh)
        vrel = (ow + wm) / 9.0 * (1 if rng.random() < 0.5 else -1)
        occ = (otex, t_mid, vrel, dy)

    # --- illumination / blur segments ----------------------------------------------------------------------------
    illum = np.ones(T)
    if 'illumination' in attrs:
        illum = np.exp(0.5 * np.sin(2 * np.pi * rng.uniform(0.6, 1.2) * tau + rng.uniform(0, 2 * np.pi)))
    blur_len = np.zeros(T, dtype=int)
    if 'motion_blur' in attrs:
        b0 = int(rng.integers(0, max(1, T // 2)))
        blur_len[b0:b0 + max(6, T // 3)] = int(rng.integers(7, 14))
    blur_angle = float(np.arctan2(traj.v[1], traj.v[0]))

    frames, box_full, box, vis, oov, focc, cut = [], [], [], [], [], [], []
    for t in range(T):
        cx = bw / 2 + pan_amp[0] * np.sin(2 * np.pi * pan_f[0] * tau[t] + pan_ph[0])
        cy = bh / 2 + pan_amp[1] * np.sin(2 * np.pi * pan_f[1] * tau[t] + pan_ph[1])
        z = zoom[t]
        M = np.array([[z, 0, W / 2 - z * cx], [0, z, H / 2 - z * cy]], dtype=np.float64)
        frame = cv2.warpAffine(bg, M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)

        for look, rel, dtraj in distractors:
            dw, dh = max(int(round(ws[t] * rel)), 4), max(int(round(hs[t] * rel)), 4)
            dc = dtraj.center(t, dw, dh)
            _paste(frame, _resize(look, dw, dh), superellipse_mask(dh, dw, spec.patch.shape),
                   int(round(dc[0] - dw / 2)), int(round(dc[1] - dh / 2)))

        x, y, w, h = int(xs[t]), int(ys[t]), int(ws[t]), int(hs[t])
        tmask = superellipse_mask(h, w, spec.patch.shape)
        on_frame = _paste(frame, _resize(patch, w, h), tmask, x, y)
        visible = on_frame
        if occ is not None:
            otex, t_mid, vrel, dy = occ
            oh, ow = otex.shape[:2]
            ox = int(round(centers[t, 0] + (t - t_mid) * vrel - ow / 2))
            oy = int(round(centers[t, 1] + dy - oh / 2))
            occ_mask = _paste(frame, otex, np.ones((oh, ow), dtype=bool), ox, oy)
            visible = on_frame & ~occ_mask

        if illum[t] != 1.0:
            frame = np.clip(frame.astype(np.float32) * illum[t], 0, 255).astype(np.uint8)
        if blur_len[t] > 1:
            frame = _motion_blur(frame, int(blur_len[t]), blur_angle)
        if 'grayscale' in attrs:
            frame = np.repeat(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)[..., None], 3, axis=2)
        frames.append(np.ascontiguousarray(frame))

        inside = bool(on_frame.any())
        box_full.append([x, y, w, h])
        if inside:
            # Tight box of the target's pixels inside the image: the rectangle itself unless the image border cuts
            # the shape (then the cut superellipse is narrower than the rectangle).
            cols, rows = np.flatnonzero(on_frame.any(axis=0)), np.flatnonzero(on_frame.any(axis=1))
            x0, x1, y0, y1 = cols[0], cols[-1] + 1, rows[0], rows[-1] + 1
            box.append([x0, y0, x1 - x0, y1 - y0])
        else:
            box.append([0, 0, 0, 0])
        vis.append(visible.sum() / tmask.sum())
        oov.append(not inside)
        focc.append(inside and not visible.any())
        cut.append(inside and (x < 0 or y < 0 or x + w > W or y + h > H))

    return RenderedSequence(frames=frames, box_full=np.array(box_full, dtype=np.int64),
                            box=np.array(box, dtype=np.int64), visible_ratio=np.array(vis, dtype=np.float64),
                            out_of_view=np.array(oov), full_occlusion=np.array(focc), cut_by_image=np.array(cut),
                            attributes=tuple(sorted(attrs)))
