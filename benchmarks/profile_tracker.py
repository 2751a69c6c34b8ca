#!/usr/bin/env python3
"""Where a CPU tracking step of ATOM spends its time: torch.profiler over steady-state track() calls, with every
stage of the step labelled (feature extraction, classification, localisation, IoU refinement, memory update,
filter optimisation), and the same for initialize(). Prints the stage table (total ms over the profiled calls and
ms per call) and the top operators. Read it before optimising; nothing is asserted.

    python benchmarks/profile_tracker.py [--config default|demo|demo_no_iounet] [--demo DIR] [--frames 40]
                                         [--threads 2] [--ops 25]
"""
import argparse
import functools
import os
import sys
import time

import torch

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..')))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_speed  # noqa: E402  (the shared data/network helpers)

STAGES = ('extract_processed_sample', 'apply_filter', 'localize_target', 'refine_target_box', 'update_memory',
          'get_label_function', 'generate_init_samples', 'init_iou_net', 'init_projection_matrix',
          'init_label_function', 'init_optimization')


def label_stages(tracker):
    """Wrap the tracker's stage methods (and its filter optimiser's run) in profiler labels."""
    for name in STAGES:
        method = getattr(tracker, name)

        def wrapped(*a, _m=method, _n=name, **k):
            with torch.profiler.record_function('stage::' + _n):
                return _m(*a, **k)
        setattr(tracker, name, functools.wraps(method)(wrapped))


def label_optimizer(tracker):
    opt = tracker.filter_optimizer
    run = opt.run

    def wrapped(*a, **k):
        with torch.profiler.record_function('stage::filter_optimizer.run'):
            return run(*a, **k)
    opt.run = wrapped


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--config', default='default', choices=sorted(bench_speed.PARAM_FILES))
    ap.add_argument('--demo', default=None, help='demo data root (default: generated / env demo_path)')
    ap.add_argument('--subset', default='otb_real')
    ap.add_argument('--frames', type=int, default=40)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--ops', type=int, default=25, help='top operators to list')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    root = bench_speed.find_demo_root(args.demo)
    seq = bench_speed.load_sequences(root, args.subset, 1, args.frames + 1)[0]
    net, what = bench_speed.demo_network(None) if args.config.startswith('demo') else bench_speed.default_network()
    print(what)
    from pytracking.tracker.atom import get_tracker_class
    tracker_class = get_tracker_class()

    warm = tracker_class(bench_speed.make_params(args.config, net))   # warm-up: first allocations, feature set-up
    warm.initialize(seq['frames'][0], {'init_bbox': seq['init']})
    for im in seq['frames'][1:4]:
        warm.track(im)

    tracker = tracker_class(bench_speed.make_params(args.config, net))
    label_stages(tracker)
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CPU]) as prof_init:
        t0 = time.perf_counter()
        tracker.initialize(seq['frames'][0], {'init_bbox': seq['init']})
        t_init = time.perf_counter() - t0
    label_optimizer(tracker)
    for im in seq['frames'][1:bench_speed.STEADY_FROM_FRAME - 1]:
        tracker.track(im)
    frames = seq['frames'][bench_speed.STEADY_FROM_FRAME - 1:]
    with profile(activities=[ProfilerActivity.CPU]) as prof_track:
        t0 = time.perf_counter()
        for im in frames:
            with torch.profiler.record_function('stage::track'):
                tracker.track(im)
        t_track = time.perf_counter() - t0

    runs = (('initialize()', prof_init, 1, t_init), ('track()', prof_track, len(frames), t_track))
    for title, prof, calls, wall in runs:
        print('\n## {}: {} call(s), {:.1f} ms per call (wall, profiled)'.format(title, calls, 1000 * wall / calls))
        events = prof.key_averages()
        rows = [(e.key[len('stage::'):], e.count, e.cpu_time_total / 1000)
                for e in events if e.key.startswith('stage::')]
        rows.sort(key=lambda r: -r[2])
        print(bench_speed.table(['stage', 'calls', 'total ms', 'ms per step'],
                                [(n, c, '{:.1f}'.format(t), '{:.2f}'.format(t / calls)) for n, c, t in rows]))
        ops = [e for e in events if not e.key.startswith('stage::')]
        ops.sort(key=lambda e: -e.self_cpu_time_total)
        print('\ntop operators by self time:')
        print(bench_speed.table(['operator', 'calls', 'self ms', 'self ms per step'],
                                [(e.key, e.count, '{:.1f}'.format(e.self_cpu_time_total / 1000),
                                  '{:.2f}'.format(e.self_cpu_time_total / 1000 / calls)) for e in ops[:args.ops]]))


if __name__ == '__main__':
    main()
