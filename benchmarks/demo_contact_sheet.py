"""Contact sheet of the demo benchmark's real-footage part: the ground-truth box on every N-th frame, one row per
sequence, as read back from the written files (JPEGs and groundtruth_rect.txt), so it shows what a tracker gets.

    python benchmarks/demo_contact_sheet.py --out /tmp/demo_real_contact_sheet.png            # generates into a tmp dir
    python benchmarks/demo_contact_sheet.py --data data/demo --out sheet.png --every 5 --scale 0.5
"""
import argparse
import json
import os
import sys
import tempfile

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def contact_sheet(root, every=5, scale=0.5, subset='otb_real', sequences=None):
    """BGR image: row k = sequence k of `{root}/{subset}/sequences.json`, frames 1, 1+every, ... with their box."""
    base = os.path.join(root, subset)
    with open(os.path.join(base, 'sequences.json')) as f:
        entries = json.load(f)
    if sequences:
        entries = [e for e in entries if e['name'] in sequences]
    rows = []
    for e in entries:
        gt = np.loadtxt(os.path.join(base, e['anno_path']), delimiter=',', ndmin=2)
        tiles = []
        for i in range(0, e['endFrame'] - e['startFrame'] + 1, every):
            n = e['startFrame'] + i
            img = cv2.imread(os.path.join(base, e['path'], '{:0{}d}.{}'.format(n, e['nz'], e['ext'])))
            img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else
                             cv2.INTER_NEAREST)
            x, y, w, h = gt[i] * scale
            # box (x, y, w, h) covers pixels x .. x+w-1: draw on its outer border
            cv2.rectangle(img, (int(round(x)) - 1, int(round(y)) - 1), (int(round(x + w)), int(round(y + h))),
                          (0, 255, 0), 1)
            cv2.putText(img, '{} #{}'.format(e['name'], n), (3, 11), cv2.FONT_HERSHEY_PLAIN, 0.8, (0, 255, 255), 1)
            tiles.append(img)
        rows.append(tiles)
    width = max(len(r) for r in rows)
    th, tw = rows[0][0].shape[:2]
    sheet = np.full((len(rows) * (th + 4), width * (tw + 4), 3), 40, np.uint8)
    for r, tiles in enumerate(rows):
        for c, t in enumerate(tiles):
            sheet[r * (th + 4):r * (th + 4) + th, c * (tw + 4):c * (tw + 4) + tw] = t
    return sheet


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data', default=None, help='demo data root (default: generate otb_real into a tmp dir)')
    parser.add_argument('--out', default='demo_real_contact_sheet.png')
    parser.add_argument('--every', type=int, default=5)
    parser.add_argument('--scale', type=float, default=0.5)
    parser.add_argument('--subset', default='otb_real', choices=('otb_real', 'otb'))
    parser.add_argument('--sequences', nargs='*', default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.data
        if root is None:
            from ltr.dataset.demo_data import generate
            root = generate(tmp, seed=0, datasets=(args.subset,))
        sheet = contact_sheet(root, args.every, args.scale, args.subset, args.sequences)
    if not cv2.imwrite(args.out, sheet):
        raise OSError('could not write {}'.format(args.out))
    print('contact sheet {} ({}x{})'.format(args.out, sheet.shape[1], sheet.shape[0]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
