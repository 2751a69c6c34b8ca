#!/usr/bin/env python3
"""ATOM on the demo OTB sequences: accuracy against a keep-the-first-box baseline, IoU-Net refinement against
the multi-scale classifier (multiscale_no_iounet) on scale-changing sequences, and CPU speed.

    python benchmarks/bench_tracker.py [--demo DIR] [--net DIR_OR_FILE] [--threads 2] [--max-seqs N]
                                       [--random-net] [--seeds 0 1 2] [--set NAME=VALUE ...]

--demo: root of the embedded demo data (default: pytracking env demo_path; generated into a temporary folder
        when missing). --net: ATOM network (default: the latest atom_demo checkpoint, as parameter file demo.py).
--random-net: use a random-init network (no trained one needed; numbers are then meaningless for accuracy).
--seeds: params.seed of the runs; accuracies are averaged over them. On ~30-frame sequences one run's mean IoU
        swings by +-0.2 with the seed (the seed draws the refinement's random boxes and the init augmentation),
        so compare trackers over several seeds.
--set: override a parameter of both trackers, e.g. --set iounet_consistent_box_center=True (Python literal).

Prints tables: per-sequence mean IoU (continuous IoU of [x, y, w, h] boxes, the first frame excluded) for
each tracker, their averages, and the per-frame time of ATOM's track() next to the bare backbone forward
(layer2+layer3) on the same search crop right after each track() call, medians, with the stated thread count.
Accuracy numbers are means over whole sequences; timings are never asserted anywhere.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import cv2 as cv
import numpy as np
import torch

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..')))


def iou_xywh(a, b):
    """Continuous IoU of [x, y, w, h] boxes (arrays N x 4)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    x1 = np.maximum(a[:, 0], b[:, 0])
    y1 = np.maximum(a[:, 1], b[:, 1])
    x2 = np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2])
    y2 = np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    union = a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def find_demo_root(arg):
    if arg:
        return arg
    try:
        from pytracking.evaluation.environment import env_settings
        root = getattr(env_settings(), 'demo_path', None)
        if root and os.path.isdir(os.path.join(root, 'otb')):
            return root
    except Exception:
        pass
    out = os.path.join(tempfile.gettempdir(), 'atom_demo_data')
    if not os.path.isdir(os.path.join(out, 'otb')):
        from ltr.dataset.demo_data import generate
        print('Generating the demo data into', out)
        generate(out, seed=0)
    return out


def load_otb_sequences(root, subset='otb'):
    otb = os.path.join(root, subset)
    meta_path = os.path.join(otb, 'sequences.json')
    if not os.path.isfile(meta_path):
        raise FileNotFoundError('{}: no OTB demo sequences (expected sequences.json)'.format(meta_path))
    seqs = []
    for e in json.load(open(meta_path)):
        img_dir = os.path.join(otb, e['path'])
        frames = [os.path.join(img_dir, '{:04d}.{}'.format(i, e['ext']))
                  for i in range(e['startFrame'], e['endFrame'] + 1)]
        gt = np.loadtxt(os.path.join(otb, e['anno_path']), delimiter=',' if ',' in
                        open(os.path.join(otb, e['anno_path'])).readline() else None, dtype=np.float64)
        seqs.append({'name': e['name'], 'frames': frames, 'gt': gt.reshape(-1, 4),
                     'attributes': e.get('attributes', [])})
    return seqs


def read_rgb(path):
    im = cv.imread(path, cv.IMREAD_COLOR)
    if im is None:
        raise FileNotFoundError('Could not read image {}'.format(path))
    return cv.cvtColor(im, cv.COLOR_BGR2RGB)


def make_params(param_name, net, seed=0, overrides=None):
    import importlib
    params = importlib.import_module('pytracking.parameter.atom.' + param_name).parameters()
    params.use_gpu = False
    params.seed = seed
    if net is not None:
        params.features.features[0].net_path = net
    for name, value in (overrides or {}).items():
        setattr(params, name, value)
    return params


def parse_overrides(items):
    import ast
    out = {}
    for item in items or ():
        name, sep, value = item.partition('=')
        if not sep or not name.isidentifier():
            raise SystemExit('--set: expected NAME=VALUE, got {!r}'.format(item))
        try:
            out[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise SystemExit('--set {}: {!r} is not a Python literal'.format(name, value)) from None
    return out


def run_atom(seq, params, backbone_times=None):
    """Track a sequence; returns (boxes, track() times, tracker). With a list `backbone_times`, also time a bare
    backbone forward (the layers ATOM extracts) on the frame's own search crop right after each track() call,
    so both timings see the same machine load."""
    from pytracking.features.preprocessing import sample_patch
    from pytracking.tracker.atom import get_tracker_class
    tracker = get_tracker_class()(params)
    frames = [read_rgb(f) for f in seq['frames']]
    tracker.initialize(frames[0], {'init_bbox': seq['gt'][0].tolist()})
    boxes, times = [seq['gt'][0].tolist()], []
    feat = tracker.params.features.features[0]
    for im in frames[1:]:
        t0 = time.perf_counter()
        boxes.append(tracker.track(im)['target_bbox'])
        times.append(time.perf_counter() - t0)
        if backbone_times is not None:
            crop, _ = sample_patch(tracker.im, tracker.pos, tracker.target_scale * tracker.img_sample_sz,
                                   tracker.img_sample_sz)
            crop = (crop / 255 - feat.mean) / feat.std
            if feat.channels_last:
                crop = crop.contiguous(memory_format=torch.channels_last)
            with torch.no_grad():
                t0 = time.perf_counter()
                feat.net.extract_features(crop, feat.feature_layers)
                backbone_times.append(time.perf_counter() - t0)
    return np.array(boxes), times, tracker


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--demo', default=None)
    ap.add_argument('--net', default=None)
    ap.add_argument('--random-net', action='store_true')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--max-seqs', type=int, default=None)
    ap.add_argument('--subset', default='otb', help="demo data folder: 'otb' (synthetic) or 'otb_real'")
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--set', dest='overrides', nargs='+', default=[], metavar='NAME=VALUE')
    args = ap.parse_args()
    overrides = parse_overrides(args.overrides)
    torch.set_num_threads(args.threads)

    from pytracking.parameter.atom.demo import demo_network_dir
    from pytracking.utils.loading import load_network
    if args.random_net:
        from ltr.models.bbreg.atom import atom_mobilenetv2
        torch.manual_seed(0)
        net = atom_mobilenetv2(backbone_pretrained=False).eval()
        net_desc = 'random init'
    else:
        net_path = os.path.abspath(args.net or demo_network_dir())
        net = load_network(net_path)  # loaded once, shared by all runs
        net_desc = net_path
    root = find_demo_root(args.demo)
    seqs = load_otb_sequences(root, args.subset)[:args.max_seqs]
    print('Network: {}\nDemo data: {} ({} OTB sequences)\nThreads: {}\nSeeds: {}\nOverrides: {}\n'.format(
        net_desc, root, len(seqs), args.threads, args.seeds, overrides or 'none'))

    rows, all_times, bb_times = [], [], []
    for seq in seqs:
        gt = seq['gt']
        first = iou_xywh(np.repeat(gt[:1], len(gt), 0), gt)[1:].mean()
        atom_runs, ms_runs = [], []
        for i, seed in enumerate(args.seeds):
            atom_boxes, times, tracker = run_atom(seq, make_params('demo', net, seed, overrides),
                                                  bb_times if i == 0 else None)
            if i == 0:
                all_times += times
            atom_runs.append(iou_xywh(atom_boxes, gt)[1:].mean())
            ms_boxes, _, _ = run_atom(seq, _ms_params(net, seed, overrides))
            ms_runs.append(iou_xywh(ms_boxes, gt)[1:].mean())
        atom, ms = float(np.mean(atom_runs)), float(np.mean(ms_runs))
        rows.append((seq['name'], 'scale_change' in seq['attributes'], len(gt), first, atom, ms))
        print('  done {:<20} first-box {:.3f}  ATOM {:.3f} {}  ms_no_iounet {:.3f} {}'.format(
            seq['name'], first, atom, np.round(atom_runs, 3).tolist(), ms, np.round(ms_runs, 3).tolist()),
            flush=True)

    print('{:<22} {:>5} {:>6} {:>10} {:>10} {:>12}'.format('sequence', 'scale', 'frames', 'first-box',
                                                           'ATOM', 'ms_no_iounet'))
    for name, sc, n, first, atom, ms in rows:
        print('{:<22} {:>5} {:>6} {:>10.3f} {:>10.3f} {:>12.3f}'.format(name, 'yes' if sc else '-', n, first,
                                                                       atom, ms))
    for title, sel in (('all sequences', rows), ('scale_change only', [r for r in rows if r[1]])):
        if sel:
            print('{:<22} {:>5} {:>6} {:>10.3f} {:>10.3f} {:>12.3f}'.format(
                'mean: ' + title, '', sum(r[2] for r in sel), np.mean([r[3] for r in sel]),
                np.mean([r[4] for r in sel]), np.mean([r[5] for r in sel])))

    # Timing: track() per frame vs the bare backbone on the same crops (interleaved, see run_atom).
    crop = int(tracker.img_sample_sz[0])
    layers = tracker.params.features.features[0].feature_layers
    med_track = statistics.median(all_times[5:] if len(all_times) > 10 else all_times)
    print('\nCPU timing ({} threads, crop {}x{}, medians):'.format(args.threads, crop, crop))
    print('{:<44} {:>10}'.format('what', 'ms'))
    print('{:<44} {:>10.1f}'.format('ATOM track() per frame (median)', 1000 * med_track))
    print('{:<44} {:>10.1f}'.format('ATOM track() mean per frame', 1000 * float(np.mean(all_times))))
    print('{:<44} {:>10.1f}'.format('backbone forward {} (same crop)'.format('+'.join(layers)),
                                    1000 * statistics.median(bb_times)))


def _ms_params(net, seed=0, overrides=None):
    """multiscale_no_iounet with the demo network (parameter file demo_no_iounet)."""
    return make_params('demo_no_iounet', net, seed, overrides)


if __name__ == '__main__':
    main()
