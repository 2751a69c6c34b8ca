"""Real photographs used by the embedded demo data (`ltr.dataset.demo_data`).

Every picture ships inside the scikit-image wheel (CC0 / public domain, see `skimage.data` docstrings), so the demo
data needs no download. Two kinds of material come from them:

- backgrounds: whole photos that a virtual camera pans and zooms over;
- target patches: named crops (a face, a cup, a coin, ...) that are pasted, with a shape mask, onto the backgrounds.

The patches are split into a TRAIN pool (GOT-10k train, LaSOT, TrackingNet, COCO) and an EVAL pool (OTB, GOT-10k
val): no target patch appears on both sides, so evaluation never sees a training target. The real-footage targets
(`demo_camera.REAL_TARGETS`, objects filmed inside their own photo for otb_real) are evaluation regions too: random
training patches avoid them (`eval_regions`) and no TRAIN_PATCH overlaps them.
"""
import functools
from dataclasses import dataclass

import numpy as np


@functools.lru_cache(maxsize=None)
def load_photo(name):
    """A scikit-image photo as an RGB uint8 HxWx3 array (grayscale photos are stacked to three channels)."""
    try:
        import skimage.data
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError('The demo data is built from scikit-image photos: pip install scikit-image') from e
    img = getattr(skimage.data, name)()
    if isinstance(img, tuple):  # stereo_motorcycle returns (left, right, disparity)
        img = img[0]
    img = np.asarray(img)
    if img.dtype == bool:
        img = img.astype(np.uint8) * 255
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    if img.shape[2] == 4:
        img = img[..., :3]
    return np.ascontiguousarray(img.astype(np.uint8))


@dataclass(frozen=True)
class PatchSpec:
    """A target patch: `photo[y0:y1, x0:x1]` with a superellipse mask of exponent `shape`
    (2 = ellipse, 4 = rounded rectangle, 0 = full rectangle). The mask touches all four sides of the patch, so the
    patch rectangle is the tight bounding box of the visible object."""
    name: str
    photo: str
    y0: int
    y1: int
    x0: int
    x1: int
    shape: float
    lasot_class: str = None           # a LaSOT class folder name (also used for the sequence names)
    coco: tuple = None                # (category id, name, supercategory) of the real COCO category, or None
    trackingnet_class: str = None     # a class of ltr/data_specs/trackingnet_classmap.txt, or None
    got10k_meta: tuple = ('object', 'moving', 'object', 'object', 'slowly')  # object/motion/major/root class, adverb
    otb_class: str = 'other'

    def image(self):
        return load_photo(self.photo)[self.y0:self.y1, self.x0:self.x1]


def _coin(name, x, y, w, h, **kw):
    m = 3  # margin around the detected coin, so the ellipse mask covers its rim
    return PatchSpec(name, 'coins', y - m, y + h + m, x - m, x + w + m, 2.0, **kw)


_PERSON_META = ('person', 'walking', 'person', 'person', 'slowly')
_COIN_META = ('coin', 'rolling', 'money', 'artifact', 'slowly')

TRAIN_PATCHES = (
    PatchSpec('astronaut_face', 'astronaut', 20, 170, 150, 300, 4.0, lasot_class='person', coco=(1, 'person', 'person'),
              trackingnet_class='person', got10k_meta=_PERSON_META),
    PatchSpec('coffee_cup', 'coffee', 10, 212, 165, 425, 4.0, lasot_class='cup', coco=(47, 'cup', 'kitchen'),
              got10k_meta=('cup', 'sliding', 'container', 'artifact', 'slowly')),
    PatchSpec('cat_face', 'chelsea', 0, 300, 232, 451, 4.0, lasot_class='cat', coco=(17, 'cat', 'animal'),
              trackingnet_class='cat', got10k_meta=('cat', 'walking', 'feline', 'animal', 'slowly')),
    PatchSpec('rocket', 'rocket', 110, 427, 285, 355, 4.0, lasot_class='airplane', coco=(5, 'airplane', 'vehicle'),
              trackingnet_class='airplane', got10k_meta=('rocket', 'flying', 'aircraft', 'artifact', 'fast')),
    PatchSpec('helmet', 'astronaut', 335, 512, 275, 512, 2.0, lasot_class='helmet',
              got10k_meta=('helmet', 'moving', 'headdress', 'artifact', 'slowly')),
    PatchSpec('cameraman', 'camera', 130, 280, 150, 310, 4.0, lasot_class='person', coco=(1, 'person', 'person'),
              trackingnet_class='person', got10k_meta=_PERSON_META),
    _coin('coin_a', 25, 104, 42, 42, lasot_class='coin', got10k_meta=_COIN_META),
    _coin('coin_b', 315, 156, 65, 62, lasot_class='coin', got10k_meta=('coin', 'rolling', 'money', 'artifact', 'fast')),
    _coin('coin_c', 189, 170, 48, 46, lasot_class='coin', got10k_meta=_COIN_META),
)

EVAL_PATCHES = (
    PatchSpec('astronaut_badge', 'astronaut', 335, 425, 125, 220, 2.0, otb_class='other'),
    PatchSpec('shuttle', 'astronaut', 0, 285, 345, 465, 4.0, otb_class='vehicle'),
    PatchSpec('spoon', 'coffee', 215, 335, 315, 415, 4.0, otb_class='other'),
    PatchSpec('cat_eye', 'chelsea', 70, 160, 125, 225, 2.0, otb_class='face'),
    PatchSpec('clock', 'clock', 90, 225, 130, 295, 2.0, otb_class='other'),
    PatchSpec('cells', 'immunohistochemistry', 290, 500, 235, 395, 4.0, otb_class='other'),
    PatchSpec('front_wheel', 'stereo_motorcycle', 268, 452, 498, 690, 2.0, otb_class='vehicle'),
    _coin('coin_x', 18, 233, 57, 55, otb_class='other'),
    _coin('coin_y', 144, 236, 57, 52, otb_class='other'),
)

# Photos that random training patches are cut from (all ship in the scikit-image wheel). Named patches alone give
# the IoU-Net only 9 training objects: it then learns those objects rather than where an object ends, and on the
# unseen evaluation objects it predicts boxes ~15% too small, which makes box refinement shrink the box frame after
# frame. Random crops of these photos (with a random shape mask) give it hundreds of objects to generalise from.
RANDOM_PATCH_PHOTOS = ('astronaut', 'chelsea', 'coffee', 'rocket', 'hubble_deep_field', 'retina',
                       'immunohistochemistry', 'colorwheel', 'stereo_motorcycle', 'camera', 'moon', 'coins', 'clock',
                       'page', 'cell', 'brick', 'gravel')
RANDOM_PATCH_SHAPES = (0.0, 2.0, 2.0, 3.0, 4.0, 4.0)


@functools.lru_cache(maxsize=None)
def eval_regions():
    """[(photo, y0, y1, x0, x1)] no training target may overlap: the EVAL_PATCHES and the targets of the
    real-footage sequences (`demo_camera.REAL_TARGETS`, with a small margin)."""
    from ltr.dataset.demo_camera import real_target_regions  # demo_camera imports this module
    return tuple([(e.photo, e.y0, e.y1, e.x0, e.x1) for e in EVAL_PATCHES] + real_target_regions())


def _overlaps_eval_patch(photo, y0, y1, x0, x1):
    return any(p == photo and min(y1, ey1) > max(y0, ey0) and min(x1, ex1) > max(x0, ex0)
               for p, ey0, ey1, ex0, ex1 in eval_regions())


def random_train_patches(seed, count, **meta):
    """`count` training patches cut at random places of RANDOM_PATCH_PHOTOS (deterministic in `seed`): 40-220 px,
    aspect ratio 1:2 to 2:1, a random shape from RANDOM_PATCH_SHAPES, never overlapping an evaluation patch or a
    real-footage target (`eval_regions`), so training and evaluation objects stay disjoint. `meta` is passed to
    PatchSpec (e.g. coco=..., got10k_meta=...)."""
    rng = np.random.default_rng([int(seed), 7919])
    patches = []
    while len(patches) < count:
        photo = RANDOM_PATCH_PHOTOS[rng.integers(len(RANDOM_PATCH_PHOTOS))]
        H, W = load_photo(photo).shape[:2]
        side = rng.uniform(40, min(220, 0.45 * min(H, W)))
        ar = np.exp(rng.uniform(-0.7, 0.7))
        h, w = int(min(side / np.sqrt(ar), H - 1)), int(min(side * np.sqrt(ar), W - 1))
        y0, x0 = int(rng.integers(0, H - h)), int(rng.integers(0, W - w))
        if _overlaps_eval_patch(photo, y0, y0 + h, x0, x0 + w):
            continue
        shape = float(RANDOM_PATCH_SHAPES[rng.integers(len(RANDOM_PATCH_SHAPES))])
        patches.append(PatchSpec('random_{:03d}_{}'.format(len(patches), photo), photo, y0, y0 + h, x0, x0 + w, shape,
                                 **meta))
    return patches


# Photos the camera pans over (targets never come from a background's own pixels at the same place, but a background
# may show the region a patch was cut from; that is the same as a real scene containing similar objects).
BACKGROUNDS = ('hubble_deep_field', 'retina', 'rocket', 'coffee', 'brick', 'grass', 'gravel', 'stereo_motorcycle',
               'immunohistochemistry', 'astronaut', 'camera', 'chelsea')

# Opaque textures used as occluders.
OCCLUDERS = (('brick', 0, 512, 0, 512), ('gravel', 0, 512, 0, 512), ('grass', 0, 512, 0, 512),
             ('colorwheel', 60, 310, 60, 310), ('moon', 0, 512, 0, 512))


def superellipse_mask(h, w, exponent):
    """Boolean HxW mask of the superellipse |u|^p + |v|^p <= 1 sampled at pixel centres (p=0: full rectangle).
    Every row and column of the HxW box contains at least one True pixel, so the box is tight."""
    if exponent == 0:
        return np.ones((h, w), dtype=bool)
    u = (2.0 * (np.arange(w) + 0.5) / w - 1.0)[None, :]
    v = (2.0 * (np.arange(h) + 0.5) / h - 1.0)[:, None]
    mask = np.abs(u) ** exponent + np.abs(v) ** exponent <= 1.0
    # Tiny boxes: guarantee the central row/column so that the box stays tight.
    mask[h // 2, :] = True
    mask[:, w // 2] = True
    return mask


def superellipse_polygon(x, y, w, h, exponent, num_points=32):
    """Boundary of the superellipse inscribed in box (x, y, w, h) as a flat COCO polygon [x0, y0, x1, y1, ...]."""
    t = np.linspace(0, 2 * np.pi, num_points, endpoint=False)
    p = exponent if exponent > 0 else 64.0
    cu, su = np.cos(t), np.sin(t)
    u = np.sign(cu) * np.abs(cu) ** (2.0 / p)
    v = np.sign(su) * np.abs(su) ** (2.0 / p)
    px = x + (u + 1.0) * 0.5 * w
    py = y + (v + 1.0) * 0.5 * h
    return np.stack([px, py], axis=1).reshape(-1).round(2).tolist()
