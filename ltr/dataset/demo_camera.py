"""Real-footage demo sequences: a real photograph filmed by a virtual hand-held camera.

The target is an object that is part of the photograph (not pasted), so its appearance, its context and the clutter
around it are real. A camera path (smooth pan = low-frequency random walk, small high-frequency shake, zoom giving a
real scale change of 1.7-2.5x, an in-plane rotation of a few degrees, optionally exposure drift and whip pans with
motion blur) gives one affine map photo -> frame per frame; the frame is rendered with `cv2.warpAffine` and the
ground-truth box is the axis-aligned bounding box of the target *polygon* (drawn tight around the object by eye, in
photo coordinates) under that map, clipped to the frame. The view never leaves the photo (no invented border
pixels); the target is fully in view except in the `partial_out_of_view` frames (cut by the right/bottom border,
never fully out; the left/top borders are never crossed, so x, y stay >= 2 like the other demo OTB sequences).

Coordinates are continuous pixel-corner coordinates: pixel (i, j) of an image covers [i, i+1] x [j, j+1], so a box
(x, y, w, h) covers the pixels x .. x+w-1 and a polygon's bounding box is directly a box. `cv2_matrix` converts a map
to OpenCV's pixel-centre convention.

Photos and their licences (from the `skimage.data` docstrings, and matplotlib's sample_data):
- grace_hopper: matplotlib `mpl-data/sample_data/grace_hopper.jpg`, official US Navy portrait of Rear Admiral
  Grace M. Hopper (1984), a work of the US federal government: public domain.
- astronaut: `skimage.data.astronaut`, Eileen Collins, NASA Great Images database: "No known copyright restrictions,
  released into the public domain."
- stereo_motorcycle: `skimage.data.stereo_motorcycle` (left image), Middlebury 2014 stereo benchmark (Scharstein et
  al., GCPR 2014), down-sampled by scikit-image. Its docstring states no licence; the benchmark asks to be cited.
  (The rest of the demo data already uses this photo.)
- camera: `skimage.data.camera`, "No copyright restrictions. CC0 by the photographer (Lav Varshney)."
- coins: `skimage.data.coins`, Brooklyn Museum Collection: "No known copyright restrictions."
- coffee: `skimage.data.coffee`, "No copyright restrictions. CC0 by the photographer (Rachel Michetti)."

Train/test disjointness: every region of REAL_TARGETS (its polygon's bounding box plus REAL_REGION_MARGIN) is an
evaluation region for `demo_sources.random_train_patches`, and no TRAIN_PATCH overlaps one (tested). grace_hopper is
used by nothing else; astronaut, stereo_motorcycle, camera and coffee are also training *backgrounds*, coins is cut
into training coin patches (other coins than the target).
"""
import functools
from dataclasses import dataclass, field

import cv2
import numpy as np

from ltr.dataset.demo_sources import load_photo

REAL_REGION_MARGIN = 4        # photo pixels around a target's bounding box that random training patches avoid
BORDER_MARGIN = 2             # a fully visible target keeps this many pixels from every frame border
ATTRIBUTES = ('camera_motion', 'scale_change', 'in_plane_rotation', 'illumination', 'motion_blur',
              'partial_out_of_view', 'distractors', 'grayscale', 'low_resolution', 'background_clutter')


@functools.lru_cache(maxsize=None)
def load_real_photo(name):
    """RGB uint8 photo: scikit-image's photos by name, plus 'grace_hopper' from matplotlib's sample data."""
    if name == 'grace_hopper':
        try:
            import matplotlib.cbook
        except ImportError as e:  # pragma: no cover - matplotlib is a requirement
            raise ImportError('The real-footage demo needs matplotlib (grace_hopper.jpg)') from e
        path = matplotlib.cbook.get_sample_data('grace_hopper.jpg', asfileobj=False)
        img = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if img is None:
            raise OSError('demo_camera: could not read {}'.format(path))
        return np.ascontiguousarray(img[..., ::-1])
    return load_photo(name)


@dataclass(frozen=True)
class RealTarget:
    """An object of a photo, given as a polygon [(x, y), ...] in photo pixel-corner coordinates, tight by eye."""
    name: str
    photo: str
    polygon: tuple
    description: str
    otb_class: str = 'other'

    @property
    def points(self):
        return np.asarray(self.polygon, dtype=np.float64)

    @property
    def bbox(self):
        """(x0, y0, x1, y1) of the polygon, float."""
        p = self.points
        return tuple(float(v) for v in (p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max()))

    def region(self, margin=0):
        """(y0, y1, x0, x1) integer pixel region holding the polygon (plus `margin`), like PatchSpec's fields."""
        x0, y0, x1, y1 = self.bbox
        return (int(np.floor(y0)) - margin, int(np.ceil(y1)) + margin,
                int(np.floor(x0)) - margin, int(np.ceil(x1)) + margin)


def _ellipse(cx, cy, rx, ry, n=24):
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return tuple((round(float(cx + rx * np.cos(a)), 2), round(float(cy + ry * np.sin(a)), 2)) for a in t)


REAL_TARGETS = (
    RealTarget('hopper_cap_badge', 'grace_hopper',
               ((226, 38), (245, 29), (270, 29), (295, 38), (292, 58), (300, 72), (318, 76), (322, 92), (310, 97),
                (260, 90), (220, 96), (199, 90), (199, 78), (225, 72), (232, 55)),
               'the gold eagle insignia on Grace Hopper\'s cap'),
    RealTarget('astronaut_mission_patch', 'astronaut', _ellipse(170.5, 386.5, 37, 36.5),
               'the round STS-93 mission patch on the astronaut\'s suit'),
    RealTarget('motorcycle_headlight', 'stereo_motorcycle', _ellipse(535.5, 157.5, 27, 32.5),
               'the chrome headlight of the motorcycle', otb_class='vehicle'),
    RealTarget('camera_tower', 'camera',
               ((411, 130), (414, 126), (420, 126), (422, 118), (427, 116), (432, 119), (432, 127), (430, 130),
                (430, 194), (411, 194)),
               'the tall building with a dome in the background of the cameraman photo'),
    RealTarget('coin_row2', 'coins', _ellipse(153.5, 128, 19.5, 18),
               'a coin in the second row, among similar coins'),
    RealTarget('coffee_spoon', 'coffee',
               ((373, 213), (386, 213), (389, 232), (398, 248), (405, 262), (407, 280), (404, 300), (396, 314),
                (382, 323), (362, 325), (343, 320), (331, 308), (326, 290), (327, 272), (335, 258), (350, 247),
                (364, 240), (370, 228)),
               'the spoon on the saucer (below the cup\'s rim)'),
)
_TARGETS = {t.name: t for t in REAL_TARGETS}


def real_target_regions(margin=REAL_REGION_MARGIN):
    """[(photo, y0, y1, x0, x1)] of every real-footage target, for keeping training patches off them."""
    return [(t.photo,) + t.region(margin) for t in REAL_TARGETS]


@dataclass(frozen=True)
class RealSequencePlan:
    name: str                      # OTB sequence name
    target: str                    # a REAL_TARGETS name
    num_frames: int
    zoom: float                    # largest / smallest camera scale over the sequence (real scale change)
    zoom_profile: str              # 'in', 'out' or 'in_out'
    max_rotation_deg: float
    attributes: tuple
    jpeg_quality: int = 85
    seed: int = 0
    whip_pans: int = 0             # fast pans (3-4 frames) that blur the frames
    cut_frames: int = 0            # frames where the target is partly cut by the right/bottom border
    exposure_drift: float = 0.0    # amplitude of the log-gain drift (0: constant exposure)


REAL_PLAN = (
    RealSequencePlan('HopperBadge', 'hopper_cap_badge', 50, 1.8, 'in', 4.0,
                     ('camera_motion', 'scale_change', 'in_plane_rotation', 'illumination', 'background_clutter'),
                     jpeg_quality=85, seed=1, exposure_drift=0.25),
    RealSequencePlan('MissionPatch', 'astronaut_mission_patch', 56, 2.0, 'in_out', 3.0,
                     ('camera_motion', 'scale_change', 'in_plane_rotation', 'motion_blur'),
                     jpeg_quality=80, seed=2, whip_pans=2),
    RealSequencePlan('Headlight', 'motorcycle_headlight', 60, 2.5, 'out', 3.0,
                     ('camera_motion', 'scale_change', 'in_plane_rotation', 'partial_out_of_view',
                      'background_clutter', 'illumination'),
                     jpeg_quality=82, seed=3, cut_frames=2, exposure_drift=0.15),
    RealSequencePlan('Tower', 'camera_tower', 44, 2.0, 'in', 2.0,
                     ('camera_motion', 'scale_change', 'in_plane_rotation', 'grayscale', 'low_resolution'),
                     jpeg_quality=78, seed=4),
    RealSequencePlan('Coin', 'coin_row2', 48, 2.2, 'in_out', 5.0,
                     ('camera_motion', 'scale_change', 'in_plane_rotation', 'distractors', 'grayscale',
                      'motion_blur'),
                     jpeg_quality=84, seed=5, whip_pans=1),
    RealSequencePlan('Spoon', 'coffee_spoon', 52, 1.7, 'out', 4.0,
                     ('camera_motion', 'scale_change', 'in_plane_rotation', 'illumination'),
                     jpeg_quality=88, seed=6, exposure_drift=0.3),
)


@dataclass
class CameraPath:
    """Per frame: the photo point at the frame centre, the scale (frame px per photo px) and the rotation."""
    centre: np.ndarray             # Nx2
    scale: np.ndarray              # N
    angle_deg: np.ndarray          # N
    gain: np.ndarray               # N exposure gain
    frame_size: tuple              # (W, H)


@dataclass
class RealSequence:
    frames: list                   # RGB uint8 HxWx3
    matrices: np.ndarray           # Nx2x3 affine maps photo -> frame (pixel-corner coordinates)
    box: np.ndarray                # Nx4 float: clipped bounding box of the projected polygon (x, y, w, h)
    box_int: np.ndarray            # Nx4 int: the box written to groundtruth_rect.txt (corners rounded)
    box_full: np.ndarray           # Nx4 float: unclipped
    cut_by_image: np.ndarray       # N bool
    blur_length: np.ndarray        # N float: motion-blur length in frame pixels (0 = sharp)
    path: CameraPath
    attributes: tuple = field(default_factory=tuple)


# ----------------------------------------------------------------------------------------------------------------
# geometry
# ----------------------------------------------------------------------------------------------------------------
def camera_matrix(centre, scale, angle_deg, frame_size):
    """2x3 affine map photo -> frame: p_frame = scale * R(angle) (p - centre) + (W/2, H/2)."""
    W, H = frame_size
    a = np.deg2rad(angle_deg)
    L = scale * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    t = np.array([W / 2.0, H / 2.0]) - L @ np.asarray(centre, dtype=np.float64)
    return np.concatenate([L, t[:, None]], axis=1)


def project(points, matrix):
    """Nx2 points through a 2x3 affine map."""
    p = np.asarray(points, dtype=np.float64)
    return p @ matrix[:, :2].T + matrix[:, 2]


def polygon_box(points, matrix, frame_size=None):
    """(x, y, w, h) bounding box of the projected polygon, clipped to the frame when `frame_size` is given."""
    q = project(points, matrix)
    x0, y0 = q.min(axis=0)
    x1, y1 = q.max(axis=0)
    if frame_size is not None:
        W, H = frame_size
        x0, x1 = np.clip([x0, x1], 0, W)
        y0, y1 = np.clip([y0, y1], 0, H)
    return np.array([x0, y0, x1 - x0, y1 - y0])


def integer_box(box):
    """Round the corners of a float (x, y, w, h) box to the pixel grid (x, y, w, h ints)."""
    x0, y0 = np.round(box[:2])
    x1, y1 = np.round(box[:2] + box[2:])
    return np.array([x0, y0, x1 - x0, y1 - y0]).astype(np.int64)


def cv2_matrix(matrix):
    """The same map in OpenCV's pixel-centre convention (pixel index i has its centre at corner coordinate i+0.5)."""
    M = np.array(matrix, dtype=np.float64)
    M[:, 2] = M[:, :2] @ np.array([0.5, 0.5]) + M[:, 2] - 0.5
    return M


def _cover_scale(photo_size, frame_size, max_angle_deg):
    """Smallest scale at which a frame rotated by up to max_angle fits inside the photo."""
    (Wp, Hp), (W, H) = photo_size, frame_size
    a = np.deg2rad(abs(max_angle_deg))
    ex = 0.5 * (W * np.cos(a) + H * np.sin(a))
    ey = 0.5 * (W * np.sin(a) + H * np.cos(a))
    return max(ex / (0.5 * Wp), ey / (0.5 * Hp))


def _centre_interval(photo_size, frame_size, scale, angle_deg):
    """Per-axis range of the camera centre that keeps the whole frame inside the photo."""
    (Wp, Hp), (W, H) = photo_size, frame_size
    a = np.deg2rad(abs(angle_deg))
    ex = 0.5 * (W * np.cos(a) + H * np.sin(a)) / scale
    ey = 0.5 * (W * np.sin(a) + H * np.cos(a)) / scale
    return np.array([ex, ey]), np.array([Wp - ex, Hp - ey])


# ----------------------------------------------------------------------------------------------------------------
# camera path
# ----------------------------------------------------------------------------------------------------------------
def _smooth_walk(rng, n, num_waves=3, min_period=None, max_period=None):
    """A smooth random signal in [-1, 1] (sum of a few random low-frequency sinusoids, normalised)."""
    min_period = min_period or max(n / 2.0, 8.0)
    max_period = max_period or 2.5 * n
    t = np.arange(n, dtype=np.float64)
    s = np.zeros(n)
    for _ in range(num_waves):
        period = rng.uniform(min_period, max_period)
        s += rng.uniform(0.5, 1.0) * np.sin(2 * np.pi * t / period + rng.uniform(0, 2 * np.pi))
    s -= s.mean()
    return s / max(np.abs(s).max(), 1e-9)


def _shake(rng, n, sigma, rho=0.5):
    """High-frequency hand shake: AR(1) noise with stationary std `sigma`."""
    e = rng.normal(0.0, sigma * np.sqrt(1 - rho ** 2), size=n)
    out = np.zeros(n)
    out[0] = rng.normal(0.0, sigma)
    for i in range(1, n):
        out[i] = rho * out[i - 1] + e[i]
    return out


def _zoom_profile(n, kind):
    t = np.linspace(0.0, 1.0, n)
    smooth = t * t * (3 - 2 * t)
    if kind == 'in':
        return smooth
    if kind == 'out':
        return 1.0 - smooth
    if kind == 'in_out':
        u = 1.0 - np.abs(2 * t - 1)
        return u * u * (3 - 2 * u)
    raise ValueError('demo_camera: unknown zoom profile {!r}'.format(kind))


def _target_extent(points_rel, scale, angle_deg):
    """Offsets (min xy, max xy) of the projected polygon from the projected target centre."""
    q = project(points_rel, camera_matrix((0.0, 0.0), scale, angle_deg, (0, 0)))
    return q.min(axis=0), q.max(axis=0)


def camera_path(plan, target, frame_size, num_frames=None, attempt=0):
    """Camera path of one sequence (deterministic in plan.seed and `attempt`), or None if it breaks a constraint.

    The zoom follows `plan.zoom_profile` between s_lo (just above the scale where the rotated frame fits inside the
    photo) and s_lo * plan.zoom, with a 1-2% breathing wobble. The target's position in the frame is a smooth
    random walk over the room left inside the frame (plus whip pans and the cut frames), plus shake; the camera
    centre follows from it and is then clamped so that the frame stays inside the photo.
    """
    n = int(num_frames or plan.num_frames)
    W, H = frame_size
    photo = load_real_photo(target.photo)
    Hp, Wp = photo.shape[:2]
    rng = np.random.default_rng([plan.seed, attempt, 4243])
    pts = target.points
    bx0, by0, bx1, by1 = target.bbox
    tc = np.array([0.5 * (bx0 + bx1), 0.5 * (by0 + by1)])
    rel = pts - tc

    s_lo = 1.06 * _cover_scale((Wp, Hp), (W, H), plan.max_rotation_deg + 0.6)
    zoom_t = _zoom_profile(n, plan.zoom_profile)
    breathing = 0.012 * _smooth_walk(rng, n, 2, n / 3.0, n)
    log_s = np.log(s_lo) + np.log(plan.zoom) * zoom_t
    scale = np.exp(log_s + breathing * (zoom_t > 0.02) * (zoom_t < 0.98))
    scale = np.maximum(scale, s_lo)

    angle = plan.max_rotation_deg * 0.85 * _smooth_walk(rng, n, 2) + _shake(rng, n, 0.15)
    angle = np.clip(angle, -plan.max_rotation_deg, plan.max_rotation_deg)

    # Target position in the frame: smooth walk over the room the frame leaves, + whip pans, + shake.
    walk = 0.8 * np.stack([_smooth_walk(rng, n), _smooth_walk(rng, n)], axis=1)
    for _ in range(plan.whip_pans):
        # A fast pan to the other side of the room in 3-4 frames (blurred frames), then the walk goes on from there.
        # Placed where the camera is zoomed in: zoomed out, the photo border leaves the camera no room to pan.
        where = np.flatnonzero(zoom_t[:n - 5] >= 0.5)
        if not len(where):
            break
        start, length = int(where[rng.integers(len(where))]), int(rng.integers(3, 5))
        axis = int(rng.integers(2))
        step = np.clip((np.arange(n) - start) / float(length), 0.0, 1.0)
        direction = -1.0 if walk[start, axis] > 0 else 1.0
        walk[:, axis] = np.clip(walk[:, axis] + direction * 1.1 * step, -1.0, 1.0)
    # Partial out of view: the target drifts over the right (or bottom) border and back, `cut_frames` frames at the
    # deepest point (about a third of it outside), reached and left smoothly.
    pull = np.zeros(n)
    if plan.cut_frames:
        ramp = np.array([0.08, 0.22, 0.4, 0.6, 0.78, 0.92])
        first = len(ramp) + 2  # the first frame (the tracker's initialisation) is never affected
        where = np.flatnonzero(zoom_t[first:n - plan.cut_frames - len(ramp)] >= 0.5) + first
        start = int(where[rng.integers(len(where))]) if len(where) else n // 2
        profile = np.concatenate([ramp, np.ones(plan.cut_frames), ramp[::-1]])
        a = max(start - len(ramp), 0)
        pull[a:a + len(profile)] = profile[:len(pull[a:a + len(profile)])]
    cut_depth = rng.uniform(0.3, 0.4)
    shake = np.stack([_shake(rng, n, 1.2), _shake(rng, n, 1.2)], axis=1)

    centre = np.zeros((n, 2))
    m = BORDER_MARGIN + 1.5  # the shake, rounding and photo clamping may eat a little of the margin
    for i in range(n):
        lo, hi = _target_extent(rel, scale[i], angle[i])
        # Room for the projected target centre, measured from the frame centre.
        u_lo = np.array([m - W / 2.0, m - H / 2.0]) - lo
        u_hi = np.array([W / 2.0 - m, H / 2.0 - m]) - hi
        if (u_lo > u_hi).any():
            return None  # target larger than the frame at this zoom
        u = u_lo + 0.5 * (walk[i] + 1.0) * (u_hi - u_lo) + shake[i]
        if pull[i] > 0:
            axis = 0 if (hi - lo)[0] >= 0.5 * (hi - lo)[1] else 1
            u_cut = (W, H)[axis] / 2.0 - hi[axis] + cut_depth * (hi - lo)[axis]
            u[axis] += pull[i] * (u_cut - u[axis])
        c = tc - project(u[None], camera_matrix((0.0, 0.0), 1.0 / scale[i], -angle[i], (0, 0)))[0]
        c_lo, c_hi = _centre_interval((Wp, Hp), (W, H), scale[i], angle[i])
        centre[i] = np.clip(c, c_lo, c_hi)

    gain = np.ones(n)
    if plan.exposure_drift:
        gain = np.exp(plan.exposure_drift * _smooth_walk(rng, n, 2, n / 2.0, 2 * n))
    path = CameraPath(centre=centre, scale=scale, angle_deg=angle, gain=gain, frame_size=(W, H))

    # Check the constraints on the final path: left/top margins always kept; right/bottom ones too except while the
    # target is pulled over the border, where at least 45% of it stays in view; the planned number of cut frames.
    num_cut = 0
    for i in range(n):
        A = camera_matrix(centre[i], scale[i], angle[i], (W, H))
        x0, y0, w, h = polygon_box(pts, A)
        if x0 < BORDER_MARGIN or y0 < BORDER_MARGIN:
            return None
        if x0 + w <= W - BORDER_MARGIN and y0 + h <= H - BORDER_MARGIN:
            continue
        cw, ch = polygon_box(pts, A, (W, H))[2:]
        if pull[i] == 0 or cw * ch < 0.45 * w * h:
            return None
        num_cut += int(x0 + w > W or y0 + h > H)
    if plan.cut_frames and not plan.cut_frames <= num_cut <= plan.cut_frames + 2:
        return None
    return path


def make_camera_path(plan, target, frame_size, num_frames=None, max_attempts=200):
    for attempt in range(max_attempts):
        path = camera_path(plan, target, frame_size, num_frames, attempt)
        if path is not None:
            return path
    raise RuntimeError('demo_camera: no valid camera path for {} at frame size {}'.format(plan.name, frame_size))


# ----------------------------------------------------------------------------------------------------------------
# rendering
# ----------------------------------------------------------------------------------------------------------------
def _motion_kernel(dx, dy):
    """Normalised line kernel along (dx, dy) (a shutter open while the image moves by that much)."""
    length = float(np.hypot(dx, dy))
    k = int(np.ceil(length)) | 1
    kernel = np.zeros((k, k), np.float32)
    c = (k - 1) / 2.0
    for s in np.linspace(-0.5, 0.5, 4 * k + 1):
        kernel[int(round(c + s * dy)), int(round(c + s * dx))] += 1.0
    return kernel / kernel.sum()


def render_frame(photo, matrix, frame_size, blur=(0.0, 0.0), gain=1.0, noise_rng=None, noise_sigma=0.0,
                 grayscale=False):
    """One frame: warp the photo (INTER_LINEAR, reflected border), then motion blur, exposure, sensor noise."""
    W, H = frame_size
    frame = cv2.warpAffine(photo, cv2_matrix(matrix), (int(W), int(H)), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REFLECT_101)
    if np.hypot(*blur) >= 1.5:
        frame = cv2.filter2D(frame, -1, _motion_kernel(*blur), borderType=cv2.BORDER_REFLECT_101)
    if gain != 1.0 or noise_sigma > 0:
        f = frame.astype(np.float32) * np.float32(gain)
        if noise_sigma > 0:
            shape = (H, W, 1) if grayscale else f.shape  # a gray camera has one noise value per pixel
            f += noise_rng.normal(0.0, noise_sigma, size=shape).astype(np.float32)
        frame = np.clip(np.round(f), 0, 255).astype(np.uint8)
    return frame


SHUTTER = 0.4       # fraction of the frame interval the shutter is open (motion-blur length = SHUTTER * motion)
BLUR_MIN_MOTION = 12.0  # frame pixels per frame below which a frame is sharp


def render_real_sequence(plan, image_size=(320, 240), num_frames=None, target=None):
    """Render one real-footage sequence (see the module docstring). `target`: a RealTarget to film instead of the
    REAL_TARGETS entry named by plan.target (the training sequences, `training_camera_sequences`)."""
    target = _TARGETS[plan.target] if target is None else target
    photo = load_real_photo(target.photo)
    path = make_camera_path(plan, target, tuple(image_size), num_frames)
    n = len(path.scale)
    W, H = path.frame_size
    mats = np.stack([camera_matrix(path.centre[i], path.scale[i], path.angle_deg[i], (W, H)) for i in range(n)])
    pts = target.points
    box_full = np.stack([polygon_box(pts, A) for A in mats])
    box = np.stack([polygon_box(pts, A, (W, H)) for A in mats])
    grayscale = bool((photo[..., 0] == photo[..., 1]).all() and (photo[..., 1] == photo[..., 2]).all())
    rng = np.random.default_rng([plan.seed, 99])
    frames, blur_len = [], np.zeros(n)
    tc = pts.mean(axis=0)
    for i in range(n):
        # Apparent motion of the target over the frame interval (camera pan, zoom and rotation together).
        if i > 0:
            d = project(tc[None], mats[i])[0] - project(tc[None], mats[i - 1])[0]
        else:
            d = np.zeros(2)
        motion = float(np.hypot(*d))
        blur = SHUTTER * d if ('motion_blur' in plan.attributes and motion >= BLUR_MIN_MOTION) else np.zeros(2)
        blur_len[i] = float(np.hypot(*blur))
        frames.append(render_frame(photo, mats[i], (W, H), tuple(blur), float(path.gain[i]), rng, 1.5, grayscale))
    cut = box[:, 2] * box[:, 3] < box_full[:, 2] * box_full[:, 3] - 1e-6
    return RealSequence(frames=frames, matrices=mats, box=box, box_int=np.stack([integer_box(b) for b in box]),
                        box_full=box_full, cut_by_image=cut,
                        blur_length=blur_len, path=path, attributes=tuple(plan.attributes))


def real_target(name):
    return _TARGETS[name]


# ----------------------------------------------------------------------------------------------------------------
# training sequences filmed the same way
# ----------------------------------------------------------------------------------------------------------------
def training_targets(seed, count):
    """RealTargets for training: the named TRAIN_PATCHES (real objects: a face, a cup, coins, ...) and random
    regions of the photos (`demo_sources.random_train_patches`, which never overlap an evaluation patch or a
    REAL_TARGETS region), each as its rectangle in the photo. Filmed in their own photo (not pasted), they show the
    IoU-Net what the evaluation footage shows: targets whose extent is set by real context, not by paste edges."""
    from ltr.dataset.demo_sources import TRAIN_PATCHES, random_train_patches
    patches = list(TRAIN_PATCHES) + random_train_patches(seed, max(0, count - len(TRAIN_PATCHES)))
    return [RealTarget('train_' + p.name, p.photo, ((p.x0, p.y0), (p.x1, p.y0), (p.x1, p.y1), (p.x0, p.y1)),
                       'training region {} of {}'.format(p.name, p.photo)) for p in patches[:count]]


def training_plan(rng, name, frame_range):
    """A random camera plan for a training sequence (zoom, rotation, blur and exposure like the evaluation plans)."""
    extra = [a for a in ('motion_blur', 'illumination') if rng.random() < 0.3]
    return RealSequencePlan(name, name, int(rng.integers(frame_range[0], frame_range[1] + 1)),
                            zoom=float(rng.uniform(1.2, 2.5)), zoom_profile=('in', 'out', 'in_out')[rng.integers(3)],
                            max_rotation_deg=float(rng.uniform(0.0, 5.0)),
                            attributes=('camera_motion', 'scale_change', 'in_plane_rotation') + tuple(extra),
                            jpeg_quality=int(rng.integers(78, 92)), seed=int(rng.integers(1 << 30)),
                            whip_pans=int('motion_blur' in extra),
                            exposure_drift=float(rng.uniform(0.1, 0.3)) if 'illumination' in extra else 0.0)


def training_camera_sequences(seed, count, image_size=(320, 240), frame_range=(24, 40)):
    """Yield (RealTarget, RealSequence) for `count` training sequences (deterministic in `seed`). A target the
    camera cannot film at this frame size (too large for its photo) is replaced by the next one."""
    rng = np.random.default_rng([int(seed), 5171])
    targets = training_targets(seed, 2 * count + 16)
    made = 0
    for target in targets:
        if made == count:
            return
        plan = training_plan(rng, target.name, frame_range)
        try:
            seq = render_real_sequence(plan, image_size, target=target)
        except RuntimeError:   # no valid camera path for this target
            continue
        made += 1
        yield target, seq
    raise RuntimeError('demo_camera: could only make {} of {} training camera sequences'.format(made, count))
