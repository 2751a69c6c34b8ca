"""Convert a VOT annotation (8-value rotated polygon, or a 4-value rectangle) to an axis-aligned x,y,w,h box."""
import numpy as np


def convert_vot_anno_to_rect(vot_anno, type):
    """type 'union': bounding rectangle of the polygon. type 'preserve_area': rectangle centred on the polygon's
    mean with the bounding rectangle's aspect ratio, scaled to the polygon's area (VOT convention, +1 on w, h).
    A 4-value annotation is returned unchanged."""
    if len(vot_anno) == 4:
        return vot_anno
    if type == 'union':
        xs, ys = vot_anno[0::2], vot_anno[1::2]
        x1, x2, y1, y2 = min(xs), max(xs), min(ys), max(ys)
        return [x1, y1, x2 - x1, y2 - y1]
    elif type == 'preserve_area':
        if len(vot_anno) != 8:
            raise ValueError('preserve_area needs an 8-value polygon, got {} values'.format(len(vot_anno)))
        a = np.array(vot_anno, dtype=np.float64)
        cx, cy = a[0::2].mean(), a[1::2].mean()
        x1, x2, y1, y2 = a[0::2].min(), a[0::2].max(), a[1::2].min(), a[1::2].max()
        area_poly = np.linalg.norm(a[0:2] - a[2:4]) * np.linalg.norm(a[2:4] - a[4:6])
        area_rect = (x2 - x1) * (y2 - y1)
        s = np.sqrt(area_poly / area_rect)
        w = s * (x2 - x1) + 1
        h = s * (y2 - y1) + 1
        return [cx - 0.5 * w, cy - 0.5 * h, w, h]
    raise ValueError("type must be 'union' or 'preserve_area', got {!r}".format(type))
