#!/usr/bin/env python3
"""What the IoU-Net thinks of the true box: predicted IoU of the annotated box scaled by s (centre fixed), on the
first frame of each real-footage demo sequence (modulation from that same frame and box) and on a later frame
(modulation still from the first frame), next to the IoU the scaled box really has.

    python benchmarks/probe_iounet_scale.py [--net DIR_OR_FILE] [--demo DIR] [--subset otb_real] [--later 10]

A well-trained IoU-Net peaks at s = 1 on the first frame (it sees the very box its modulation came from) and
follows the true IoU column; a net that peaks at s < 1 shrinks the tracker's box at the first refinement. The crops
are ATOM's: 5x the target area, resized to 288x288 (ltr.data.processing_utils.sample_target). Nothing is asserted.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..')))

SCALES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.4, 1.6)


def load_net(path):
    from ltr.admin.loading import load_network
    from pytracking.parameter.atom.demo import demo_network_dir
    net, _ = load_network(path or demo_network_dir())
    return net.eval()


def crop(net, im, box, sample_box, mean, std):
    """Features of the 288x288 crop around `sample_box` (5x its area) and `box` in crop coordinates."""
    from ltr.data.processing_utils import sample_target, transform_image_to_crop
    patch, factor = sample_target(im, sample_box.tolist(), 5.0, 288)[:2]
    box_crop = transform_image_to_crop(torch.tensor(box, dtype=torch.float32),
                                       torch.tensor(sample_box, dtype=torch.float32), factor,
                                       torch.tensor([288.0, 288.0]))
    x = torch.from_numpy(np.ascontiguousarray(patch)).permute(2, 0, 1).float().div(255)
    x = ((x - mean) / std).unsqueeze(0)
    feats = net.extract_backbone_features(x)
    return [feats[name] for name in net.bb_regressor_layer], box_crop


def scaled(box, s):
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    w, h = box[2] * s, box[3] * s
    return torch.stack([cx - w / 2, cy - h / 2, w, h])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--net', default=None)
    ap.add_argument('--demo', default='data/demo')
    ap.add_argument('--subset', default='otb_real')
    ap.add_argument('--later', type=int, default=10, help='the later frame (1-based; 0: none)')
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from benchmarks.bench_tracker import load_otb_sequences, read_rgb
    from ltr.data.processing_utils import iou
    net = load_net(args.net)
    iounet = net.bb_regressor
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    header = 'sequence      frame ' + ' '.join('{:>5}'.format(s) for s in SCALES) + '  argmax'
    print(header)
    peaks = []
    with torch.no_grad():
        for seq in load_otb_sequences(args.demo, args.subset):
            gt = np.asarray(seq['gt'], dtype=np.float64)
            im0 = read_rgb(seq['frames'][0])
            feat0, box0 = crop(net, im0, gt[0], gt[0], mean, std)
            modulation = iounet.get_modulation(feat0, box0.view(1, 4))
            frames = [(1, feat0, box0)]
            if args.later and args.later <= len(gt):
                k = args.later - 1
                # The later crop is centred on the previous frame's true box, as the tracker's would be.
                featk, boxk = crop(net, read_rgb(seq['frames'][k]), gt[k], gt[k - 1], mean, std)
                frames.append((args.later, featk, boxk))
            for num, feat, box in frames:
                props = torch.stack([scaled(box, s) for s in SCALES]).view(1, -1, 4)
                pred = iounet.predict_iou(modulation, iounet.get_iou_feat(feat), props)[0]
                true = iou(box.view(1, 4), props[0])
                print('{:<13} {:>5} '.format(seq['name'][:13], num) + ' '.join('{:5.2f}'.format(v) for v in pred)
                      + '  {:.2f}'.format(SCALES[int(pred.argmax())]))
                if num == 1:
                    peaks.append(SCALES[int(pred.argmax())])
        print('{:<13} {:>5} '.format('true IoU', '') + ' '.join('{:5.2f}'.format(float(v)) for v in true))
    print('mean argmax scale on the first frames: {:.2f}'.format(float(np.mean(peaks))))


if __name__ == '__main__':
    main()
