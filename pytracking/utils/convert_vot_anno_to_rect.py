"""Convert a VOT annotation (8-value rotated polygon, or a 4-value rectangle) to an axis-aligned x,y,w,h box.

The conversion types (`params.vot_anno_conversion_type`; default_vot uses 'preserve_area'):
- 'union': the polygon's bounding rectangle;
- 'preserve_area': a rectangle centred on the mean of the polygon's corners, with the bounding rectangle's aspect
  ratio, scaled so that its area is the polygon's (|p1 - p2| * |p2 - p3|, a rotated rectangle's area), plus 1 on
  the width and height (VOT's convention).
"""
import numpy as np

CONVERSION_TYPES = ('union', 'preserve_area')


def convert_vot_anno_to_rect(vot_anno, type):
    """vot_anno: [x1, y1, x2, y2, x3, y3, x4, y4] (any sequence) or [x, y, w, h]. A 4-value annotation is returned
    unchanged; a polygon is converted according to `type` (see the module docstring). Returns [x, y, w, h]."""
    if len(vot_anno) == 4:
        return vot_anno
    if type not in CONVERSION_TYPES:
        raise ValueError('type must be one of {}, got {!r}'.format(', '.join(map(repr, CONVERSION_TYPES)), type))
    a = np.asarray(vot_anno, dtype=np.float64).reshape(-1)
    if a.size < 6 or a.size % 2:
        raise ValueError('a VOT polygon has an even number (>= 6) of values, got {}'.format(a.size))
    xs, ys = a[0::2], a[1::2]
    x1, x2, y1, y2 = xs.min(), xs.max(), ys.min(), ys.max()
    if type == 'union':
        return [float(x1), float(y1), float(x2 - x1), float(y2 - y1)]
    # preserve_area
    if a.size != 8:
        raise ValueError('preserve_area needs an 8-value polygon, got {} values'.format(a.size))
    cx, cy = xs.mean(), ys.mean()
    area_poly = np.linalg.norm(a[0:2] - a[2:4]) * np.linalg.norm(a[2:4] - a[4:6])
    area_rect = (x2 - x1) * (y2 - y1)
    if not area_rect > 0:
        raise ValueError('degenerate polygon {} (its bounding rectangle has no area)'.format(a.tolist()))
    s = np.sqrt(area_poly / area_rect)
    w = s * (x2 - x1) + 1
    h = s * (y2 - y1) + 1
    return [float(cx - 0.5 * w), float(cy - 0.5 * h), float(w), float(h)]
