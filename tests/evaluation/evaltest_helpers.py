"""Writers of tiny benchmark folders in the real layouts (for the dataset loader tests)."""
import json
import os

import cv2
import numpy as np


def write_rows(path, rows, delimiter=','):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        for r in rows:
            f.write(delimiter.join(str(v) for v in r) + '\n')


def write_jpg(path, color_rgb=(255, 0, 0), size=(24, 32)):
    """A small solid-colour JPEG (colour given as RGB)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img = np.zeros((size[0], size[1], 3), np.uint8)
    img[:] = color_rgb[::-1]  # OpenCV writes BGR
    cv2.imwrite(path, img)


def make_otb_like(root, sequences, n_frames=6, nz=4):
    """OTB-layout folder with `sequences` = {name: first_box}; boxes move by +2 px per frame. Writes
    otb/sequences.json like the demo data. Returns {name: gt array}."""
    gts, info = {}, []
    for name, (x, y, w, h) in sequences.items():
        gt = np.array([[x + 2 * i, y + i, w, h] for i in range(n_frames)], dtype=float)
        write_rows(os.path.join(root, name, 'groundtruth_rect.txt'), gt.astype(int).tolist())
        for i in range(1, n_frames + 1):
            write_jpg(os.path.join(root, name, 'img', '{:0{nz}d}.jpg'.format(i, nz=nz)))
        gts[name] = gt.astype(int).astype(float)
        info.append({'name': name, 'path': name + '/img', 'startFrame': 1, 'endFrame': n_frames, 'nz': nz,
                     'ext': 'jpg', 'anno_path': name + '/groundtruth_rect.txt'})
    with open(os.path.join(root, 'sequences.json'), 'w') as f:
        json.dump(info, f)
    return gts
