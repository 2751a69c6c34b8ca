#!/usr/bin/env python3
"""ATOM speed on the CPU, every number of issue 12 in one run: backbone floor (both memory layouts), initialize,
track() median / mean / p95 and their ratios to the floor, FPS, OpenCV CSRT on the same frames, and the training
rates of the atom_demo recipe (loader-only, model-only, combined).

    python benchmarks/bench_speed.py [--configs default demo demo_no_iounet] [--demo DIR] [--demo-net PATH]
                                     [--subsets otb_real otb] [--seqs N] [--frames N] [--threads 2]
                                     [--bb-repeats 1] [--train-steps 10] [--compile] [--no-train] [--ablation]
                                     [--set NAME=VALUE ...]

Smoke mode (seconds, numbers meaningless): --frames 8 --seqs 1 --train-steps 2

Tracker configurations (pytracking parameter files, params.use_gpu = False, params.seed = 0):
  default         ATOM's default parameters (ResNet-18) on a random-init atom_resnet18 (speed needs no trained
                  network; with random weights the classifier's flags, hence the update frames, differ from a
                  trained network's).
  demo            the demo parameters on the trained demo network (--demo-net, else the latest checkpoint in
                  pytracking.parameter.atom.demo.demo_network_dir()); without one, a random-init atom_mobilenetv2
                  of the demo's shape (said so in the output).
  demo_no_iounet  multiscale_no_iounet on the demo network (5 scales per frame, no IoU-Net).
Every network is built once and passed to the tracker as an nn.Module (net_path), so no timing includes loading;
the first initialize() of each configuration (warm-up: feature set-up, first allocations) is reported apart from
the median over the sequences.

Timings (time.perf_counter, torch and OpenCV on --threads threads):
  backbone floor   the bare backbone forward (the layers the tracker extracts) on the frame's own 1x3xHxW search
                   crop, on a contiguous and on a channels_last copy of the backbone and through its BN-folded
                   TorchScript graph (folded+jit, the deep feature's optimize_for_inference), timed right after
                   each track() call (interleaved, so all see the same machine load); median over all frames.
  track()          steady frames only: frame 7 on (frame 1 is initialize); median, mean, p95, max; ratios to the
                   fastest of the floors; FPS = 1000 / mean.
  --set            a parameter override for every run, e.g. --set box_refinement_iter=3 optimize_for_inference=True
                   (names in FEATURE_OPTIONS go to the deep feature).
  CSRT             OpenCV's CSRT (pytracking/tracker/opencv) run in lock-step on the same frames, same steady frames.
  --compile        also runs each configuration with torch.compile(backbone) (compile time = first compiled call).
  --ablation       before/after rows for the speed options (ours): default and demo first with every option off
                   (pytracking's computation), then with the options switched on one at a time, cumulatively (the
                   last rows of each also turn on filter_matmul and the feature's fold_batch_norm and
                   optimize_for_inference, all off in `default` and on in `demo`).
Training (atom_demo.build_training, the objects `ltr/run_training.py bbreg atom_demo` trains with; batch size from
the recipe / ATOM_DEMO_BATCH_SIZE): loader-only = iterating the train LTRLoader; model-only = AtomActor forward +
backward + Adam step on one cached batch; combined = the real loop (next batch, forward, backward, step). Each
after one warm-up step, over --train-steps steps. Nothing is asserted: these are measurements to read.
"""
import argparse
import contextlib
import copy
import glob
import io
import json
import os
import platform
import sys
import tempfile
import time
import warnings

import cv2 as cv
import numpy as np
import torch

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..')))

STEADY_FROM_FRAME = 7          # track() frames counted as steady state (frame 1 = initialize)
DEMO_FOLDERS = ('otb', 'otb_real', 'got10k', 'lasot', 'trackingnet', 'coco')


# ---------------------------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------------------------
def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.lower().startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def visible_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count()


def table(headers, rows, align=None):
    """A markdown table with padded columns (first column left-aligned, the others right-aligned)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    align = align or ['<'] + ['>'] * (len(headers) - 1)
    fmt = lambda r: '| ' + ' | '.join('{:{}{}}'.format(c, a, w) for c, a, w in zip(r, align, widths)) + ' |'
    sep = '|' + '|'.join(('-' * (w + 1) + ':') if a == '>' else ('-' * (w + 2)) for a, w in zip(align, widths)) + '|'
    return '\n'.join([fmt(cells[0]), sep] + [fmt(r) for r in cells[1:]])


def ms(values, stat='median'):
    if not values:
        return float('nan')
    v = np.asarray(values, dtype=np.float64) * 1000
    return {'median': np.median(v), 'mean': v.mean(), 'p95': np.percentile(v, 95), 'max': v.max()}[stat]


def f1(x):
    return '-' if x is None or (isinstance(x, float) and np.isnan(x)) else '{:.1f}'.format(x)


def f2(x):
    return '-' if x is None or (isinstance(x, float) and np.isnan(x)) else '{:.2f}'.format(x)


# ---------------------------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------------------------
def find_demo_root(arg):
    """--demo, else the pytracking env demo_path when it holds the demo data, else a generated temporary copy."""
    if arg:
        return os.path.abspath(arg)
    try:
        from pytracking.evaluation.environment import env_settings
        root = getattr(env_settings(), 'demo_path', None)
        if root and all(os.path.isdir(os.path.join(root, d)) for d in DEMO_FOLDERS):
            return root
    except Exception:
        pass
    out = os.path.join(tempfile.gettempdir(), 'atom_demo_data_speed')
    if not all(os.path.isdir(os.path.join(out, d)) for d in DEMO_FOLDERS):
        from ltr.dataset.demo_data import generate
        print('Generating the demo data into', out, flush=True)
        generate(out, seed=0)
    return out


def load_sequences(root, subset, max_seqs, max_frames):
    folder = os.path.join(root, subset)
    meta = os.path.join(folder, 'sequences.json')
    if not os.path.isfile(meta):
        raise SystemExit('{}: no demo sequences (expected sequences.json)'.format(meta))
    seqs = []
    for e in json.load(open(meta))[:max_seqs]:
        img_dir = os.path.join(folder, e['path'])
        paths = ['{}/{:04d}.{}'.format(img_dir, i, e['ext']) for i in range(e['startFrame'], e['endFrame'] + 1)]
        anno = os.path.join(folder, e['anno_path'])
        gt = np.loadtxt(anno, delimiter=',' if ',' in open(anno).readline() else None).reshape(-1, 4)
        frames = []
        for p in paths[:max_frames]:
            im = cv.imread(p, cv.IMREAD_COLOR)
            if im is None:
                raise SystemExit('Could not read image {}'.format(p))
            frames.append(cv.cvtColor(im, cv.COLOR_BGR2RGB))
        seqs.append({'name': '{}/{}'.format(subset, e['name']), 'frames': frames, 'init': gt[0].tolist()})
    return seqs


# ---------------------------------------------------------------------------------------------------------------
# Networks and parameters
# ---------------------------------------------------------------------------------------------------------------
def demo_network(arg):
    """(net, description): the trained demo network if there is one, else a random-init one of its shape."""
    from pytracking.parameter.atom.demo import demo_network_dir
    path = os.path.abspath(arg) if arg else demo_network_dir()
    found = os.path.isfile(path) or bool(glob.glob(os.path.join(path, '*.pth.tar')))
    if found:
        from pytracking.utils.loading import load_network
        return load_network(path).eval(), 'trained demo network ' + path
    if arg:
        raise SystemExit('--demo-net {}: no checkpoint there'.format(path))
    from ltr.models.bbreg.atom import atom_mobilenetv2
    torch.manual_seed(0)
    net = atom_mobilenetv2(backbone_pretrained=False, iou_input_dim=(128, 128), iou_inter_dim=(128, 128),
                           iou_branch_dim=128).eval()
    return net, 'NOTE: no trained demo network in {}: random-init atom_mobilenetv2 (demo shape)'.format(path)


def default_network():
    from ltr.models.bbreg.atom import atom_resnet18
    torch.manual_seed(0)
    return atom_resnet18(backbone_pretrained=False).eval(), 'random-init atom_resnet18 (speed only)'


PARAM_FILES = {'default': 'default', 'demo': 'demo', 'demo_no_iounet': 'demo_no_iounet'}


# The tracker's speed options (ours), each with the value that gives pytracking's computation, in the order the
# --ablation rows switch them on (cumulatively).
SPEED_OPTIONS = (('iounet_feature_window', False), ('optimize_filled_memory_only', False),
                 ('iounet_manual_gradient', False), ('filter_matmul', False), ('fold_batch_norm', False),
                 ('optimize_for_inference', False))
# Attributes of the deep feature, not of params.
FEATURE_OPTIONS = ('fold_batch_norm', 'channels_last', 'optimize_for_inference')


def ablation_steps(config):
    """[(row label, parameter overrides)]: pytracking's computation, then one more speed option on per row."""
    steps, overrides = [], {k: off for k, off in SPEED_OPTIONS}
    steps.append(('{} [all speed options off]'.format(config), dict(overrides)))
    for k, off in SPEED_OPTIONS:
        overrides[k] = not off
        steps.append(('{} [+{}]'.format(config, k), dict(overrides)))
    return steps


def make_params(config, net, overrides=None):
    import importlib
    params = importlib.import_module('pytracking.parameter.atom.' + PARAM_FILES[config]).parameters()
    params.use_gpu = False
    params.seed = 0
    params.features.features[0].net_path = net
    for k, v in (overrides or {}).items():
        setattr(params.features.features[0] if k in FEATURE_OPTIONS else params, k, v)
    return params


# ---------------------------------------------------------------------------------------------------------------
# Tracker timing
# ---------------------------------------------------------------------------------------------------------------
def floor_backbones(backbone):
    """Private copies of the backbone: contiguous and channels_last weights (the tracker may convert its own), and
    the fastest forward the tracker can use (BN folded, TorchScript graph: the feature's optimize_for_inference),
    so the floor is never slower than what the tracker itself runs."""
    from ltr.models.layers.fold_batch_norm import FoldedFrozenForward
    bb = copy.deepcopy(backbone).eval()
    cont = bb.to(memory_format=torch.contiguous_format)
    cl = copy.deepcopy(bb).to(memory_format=torch.channels_last)
    optimized = FoldedFrozenForward(copy.deepcopy(bb), memory_format=torch.contiguous_format,
                                    optimize_for_inference=True)
    return {'contiguous': (cont, torch.contiguous_format), 'channels_last': (cl, torch.channels_last),
            'optimized': (optimized, torch.contiguous_format)}


def time_config(config, net, seqs, floors, csrt_params, args, compiled=None, overrides=None):
    """Run `config` (with parameter `overrides`) over `seqs` with CSRT in lock-step; returns a dict of timing lists."""
    from pytracking.features.preprocessing import sample_patch
    from pytracking.tracker.atom import get_tracker_class
    from pytracking.tracker.opencv.opencv_tracker import OpenCVTracker
    tracker_class = get_tracker_class()
    res = {'init_first': None, 'init': [], 'track': [], 'csrt': [], 'floor': {k: [] for k in floors},
           'frames': 0}
    if compiled is not None:
        res['floor']['compiled'] = []

    # Warm-up initialize (first call on this configuration: feature set-up, first allocations).
    tracker = tracker_class(make_params(config, net, overrides))
    t0 = time.perf_counter()
    tracker.initialize(seqs[0]['frames'][0], {'init_bbox': seqs[0]['init']})
    res['init_first'] = time.perf_counter() - t0
    feat = tracker.params.features.features[0]
    layers = feat.feature_layers if feat.compute_iou_features else feat.output_layers
    res['layers'] = '+'.join(layers)
    res['crop'] = 'x'.join(str(int(v)) for v in tracker.img_sample_sz.tolist())
    res['scales'] = len(tracker.params.scale_factors)
    res['layout'] = 'channels_last' if feat.channels_last else 'contiguous'
    mean, std = feat.mean, feat.std

    def floor_once(im, pos, scale, sz):
        crop, _ = sample_patch(im, pos, scale * sz, sz)
        x = (crop / 255 - mean) / std
        with torch.no_grad():
            items = [(k, m, x.contiguous(memory_format=fmt)) for k, (m, fmt) in floors.items()]
            if compiled is not None:
                items.append(('compiled', compiled, x.contiguous(memory_format=torch.channels_last
                                                                 if feat.channels_last else torch.contiguous_format)))
            for _ in range(args.bb_repeats):
                for k, m, xi in items:
                    t0 = time.perf_counter()
                    m(xi, layers)
                    res['floor'][k].append(time.perf_counter() - t0)

    floor_once(tracker.im, tracker.pos, tracker.target_scale, tracker.img_sample_sz)   # warm-up
    for k in res['floor']:
        res['floor'][k].clear()

    for seq in seqs:
        tracker = tracker_class(make_params(config, net, overrides))
        t0 = time.perf_counter()
        tracker.initialize(seq['frames'][0], {'init_bbox': seq['init']})
        res['init'].append(time.perf_counter() - t0)
        csrt = OpenCVTracker(csrt_params)
        csrt.initialize(seq['frames'][0], {'init_bbox': seq['init']})
        for frame_num, im in enumerate(seq['frames'][1:], start=2):
            t0 = time.perf_counter()
            tracker.track(im)
            t_track = time.perf_counter() - t0
            floor_once(tracker.im, tracker.pos, tracker.target_scale, tracker.img_sample_sz)
            t0 = time.perf_counter()
            csrt.track(im)
            t_csrt = time.perf_counter() - t0
            if frame_num >= STEADY_FROM_FRAME:
                res['track'].append(t_track)
                res['csrt'].append(t_csrt)
            res['frames'] += 1
    return res


def compile_backbone(net, res):
    """torch.compile(net.feature_extractor); returns (compiled, original, compile seconds = first call)."""
    original = net.feature_extractor
    compiled = torch.compile(original)
    h, w = (int(v) for v in res['crop'].split('x'))
    x = torch.randn(1, 3, h, w)
    if res['layout'] == 'channels_last':
        x = x.contiguous(memory_format=torch.channels_last)
    t0 = time.perf_counter()
    with torch.no_grad():
        compiled(x, res['layers'].split('+'))
    return compiled, original, time.perf_counter() - t0


# ---------------------------------------------------------------------------------------------------------------
# Training rates
# ---------------------------------------------------------------------------------------------------------------
def bench_training(root, steps):
    from ltr.admin.settings import Settings
    from ltr.train_settings.bbreg import atom_demo
    settings = Settings()
    settings.env.demo_dir = root
    settings.use_gpu = False
    settings.device = torch.device('cpu')
    settings.train_iterations_per_epoch = steps + 1   # one warm-up batch + the timed ones per pass
    settings.val_samples = 1                          # the val set is not timed here
    settings.num_epochs = 1
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):   # COCO's loading chatter
        warnings.simplefilter('ignore')
        objs = atom_demo.build_training(settings)
    actor, optimizer, loader = objs.actor, objs.optimizer, objs.loader_train
    device = settings.device
    actor.to(device)
    grad_clip = getattr(settings, 'grad_clip_max_norm', None)
    batch_size = settings.batch_size

    def step(data):
        loss, _ = actor(data)
        optimizer.zero_grad()
        loss.backward()
        if grad_clip:
            torch.nn.utils.clip_grad_norm_(actor.net.parameters(), grad_clip)
        optimizer.step()

    # Loader only.
    it = iter(loader)
    cached = next(it)                                 # warm-up batch, kept for the model-only timing
    n, t0 = 0, time.perf_counter()
    for data in it:
        n += data['train_images'].shape[loader.stack_dim]
    loader_rate = n / (time.perf_counter() - t0)

    # Model only: forward + backward + step on the cached batch.
    actor.train(True)
    torch.set_grad_enabled(True)
    cached = cached.to(device)
    step(cached)                                      # warm-up
    t0 = time.perf_counter()
    for _ in range(steps):
        step(cached)
    model_rate = steps * batch_size / (time.perf_counter() - t0)

    # Combined: the trainer's loop (next batch, to device, forward, backward, step).
    it = iter(loader)
    step(next(it).to(device))                         # warm-up
    n, t0 = 0, time.perf_counter()
    for data in it:
        step(data.to(device))
        n += data['train_images'].shape[loader.stack_dim]
    combined_rate = n / (time.perf_counter() - t0)
    return {'batch_size': batch_size, 'proposals': settings.proposals_per_frame, 'steps': steps,
            'net': type(objs.net.feature_extractor).__name__, 'loader': loader_rate, 'model': model_rate,
            'combined': combined_rate}


# ---------------------------------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--configs', nargs='+', default=['default', 'demo', 'demo_no_iounet'],
                    choices=sorted(PARAM_FILES))
    ap.add_argument('--demo', default=None, help='demo data root (default: pytracking env demo_path)')
    ap.add_argument('--demo-net', default=None, help='demo network (checkpoint file or directory)')
    ap.add_argument('--subsets', nargs='+', default=['otb_real', 'otb'], choices=['otb_real', 'otb'])
    ap.add_argument('--seqs', type=int, default=None, help='sequences per subset (default: all)')
    ap.add_argument('--frames', type=int, default=None, help='frames per sequence (default: all)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--bb-repeats', type=int, default=1, help='backbone-floor calls per layout per frame')
    ap.add_argument('--train-steps', type=int, default=10)
    ap.add_argument('--no-train', action='store_true', help='skip the training rates')
    ap.add_argument('--compile', action='store_true', help='also run each config with torch.compile(backbone)')
    ap.add_argument('--ablation', action='store_true',
                    help='for default and demo: also run with every speed option off, then switched on one by one')
    ap.add_argument('--set', dest='overrides', nargs='+', default=[], metavar='NAME=VALUE',
                    help='override a parameter (or a deep-feature option: {}) of every run, Python literal'
                         .format(', '.join(FEATURE_OPTIONS)))
    args = ap.parse_args()
    if args.frames is not None and args.frames < 2:
        raise SystemExit('--frames must be >= 2')

    from bench_tracker import parse_overrides
    extra = parse_overrides(args.overrides)
    torch.set_num_threads(args.threads)
    cv.setNumThreads(args.threads)
    root = find_demo_root(args.demo)
    seqs = [s for sub in args.subsets for s in load_sequences(root, sub, args.seqs, args.frames)]

    print('# ATOM speed (benchmarks/bench_speed.py)\n')
    print('Machine: {} ({} cores visible) | torch {} | OpenCV {} | Python {} | threads: {} (torch.set_num_threads, '
          'cv2.setNumThreads)'.format(cpu_model(), visible_cores(), torch.__version__, cv.__version__,
                                      platform.python_version(), args.threads))
    print('Demo data: {} | sequences: {} ({}) | frames per sequence: {} | steady frames: {} on (frame 1 = '
          'initialize)'.format(root, len(seqs), ' + '.join(args.subsets),
                               args.frames or 'all', STEADY_FROM_FRAME))

    nets = {}
    if 'default' in args.configs:
        nets['default'] = default_network()
    if 'demo' in args.configs or 'demo_no_iounet' in args.configs:
        nets['demo'] = nets['demo_no_iounet'] = demo_network(args.demo_net)
    for name in args.configs:
        print('Network {}: {}'.format(name, nets[name][1]))
    print(flush=True)

    from pytracking.parameter.opencv.csrt import parameters as csrt_parameters
    csrt_params = csrt_parameters()
    csrt_params.num_threads = args.threads

    floors_by_net, results = {}, []
    for name in args.configs:
        net = nets[name][0]
        if id(net) not in floors_by_net:
            floors_by_net[id(net)] = floor_backbones(net.feature_extractor)
        floors = floors_by_net[id(net)]
        if args.ablation and name in ('default', 'demo'):
            for label, overrides in ablation_steps(name):
                print('running {} ...'.format(label), flush=True)
                results.append((label, time_config(name, net, seqs, floors, csrt_params, args,
                                                   overrides={**overrides, **extra})))
        print('running {} ...'.format(name), flush=True)
        res = time_config(name, net, seqs, floors, csrt_params, args, overrides=extra)
        results.append((name, res))
        if args.compile:
            print('running {}+compile ...'.format(name), flush=True)
            compiled, original, compile_s = compile_backbone(net, res)
            net.feature_extractor = compiled
            try:
                cres = time_config(name, net, seqs, floors, csrt_params, args, compiled=compiled, overrides=extra)
            finally:
                net.feature_extractor = original
            cres['compile_s'] = compile_s
            results.append((name + '+compile', cres))

    # Backbone floor.
    print('\n## Backbone floor (bare backbone forward on the 1x3xHxW search crop, median over all frames, ms)\n')
    rows = []
    for name, r in results:
        fl = {k: ms(v) for k, v in r['floor'].items()}
        r['floor_ms'] = min(fl['contiguous'], fl['channels_last'], fl['optimized'])
        rows.append([name, r['crop'], r['layers'], r['layout'], f1(fl['contiguous']), f1(fl['channels_last']),
                     f1(fl['optimized']),
                     f1(fl.get('compiled')), f1(r['floor_ms']), len(r['floor']['contiguous'])])
    print(table(['config', 'crop', 'layers', 'tracker layout', 'contiguous', 'channels_last', 'folded+jit',
                 'compiled', 'floor (fastest)', 'calls'], rows, align=['<'] * 4 + ['>'] * 6))

    # Tracker.
    print('\n## Tracker (ms; track() over steady frames, from frame {}; ratios = track / floor)\n'
          .format(STEADY_FROM_FRAME))
    rows = []
    for name, r in results:
        t, fl = r['track'], r['floor_ms']
        med, mean, p95, mx = ms(t), ms(t, 'mean'), ms(t, 'p95'), ms(t, 'max')
        csrt_fps = 1000 / ms(r['csrt'], 'mean') if r['csrt'] else float('nan')
        fps = 1000 / mean if t else float('nan')
        rows.append([name, r['scales'], f1(1000 * r['init_first']), f1(ms(r['init'])), f1(med), f1(mean), f1(p95),
                     f1(mx), f2(med / fl), f2(mean / fl), f2(p95 / fl), f1(fps), f2(fps / csrt_fps), len(t)])
    print(table(['config', 'scales', 'init first', 'init median', 'track median', 'mean', 'p95', 'max',
                 'median/floor', 'mean/floor', 'p95/floor', 'FPS', 'FPS/CSRT', 'frames'], rows))
    print('\ninit first: the first initialize() of the configuration (warm-up; network already built); init median: '
          'over the {} sequences. FPS/CSRT: against CSRT run in lock-step in the same pass.'.format(len(seqs)))
    compiled_rows = [(n, r) for n, r in results if 'compile_s' in r]
    if compiled_rows:
        print('torch.compile time (first compiled backbone call): ' + ', '.join(
            '{} {:.1f} s'.format(n, r['compile_s']) for n, r in compiled_rows) + '; the +compile rows\' '
            'initialize() includes recompiles for its other batch sizes; their floor is still the eager backbone.')

    # CSRT.
    print('\n## OpenCV CSRT on the same frames (lock-step with each configuration, steady frames, ms)\n')
    rows = []
    pooled = []
    for name, r in results:
        pooled += r['csrt']
        rows.append(['during ' + name, f1(ms(r['csrt'])), f1(ms(r['csrt'], 'mean')),
                     f1(1000 / ms(r['csrt'], 'mean') if r['csrt'] else float('nan')), len(r['csrt'])])
    rows.append(['all', f1(ms(pooled)), f1(ms(pooled, 'mean')),
                 f1(1000 / ms(pooled, 'mean') if pooled else float('nan')), len(pooled)])
    print(table(['CSRT', 'median', 'mean', 'FPS', 'frames'], rows))

    # Training.
    if not args.no_train:
        print('\n## Training rates, atom_demo recipe (samples/s)\n', flush=True)
        tr = bench_training(root, args.train_steps)
        print(table(['what', 'samples/s', 'ms/batch'], [
            ['loader only (sampler + processing)', f2(tr['loader']), f1(1000 * tr['batch_size'] / tr['loader'])],
            ['model only (forward + backward + step)', f2(tr['model']), f1(1000 * tr['batch_size'] / tr['model'])],
            ['combined (the training loop)', f2(tr['combined']), f1(1000 * tr['batch_size'] / tr['combined'])]]))
        print('\nbatch {} x {} proposals per frame, backbone {}, {} timed steps each (after 1 warm-up), 0 workers'
              .format(tr['batch_size'], tr['proposals'], tr['net'], tr['steps']))


if __name__ == '__main__':
    main()
