"""Throughput of ATOM's training data pipeline (ATOMSampler + ATOMProcessing + LTRLoader) on the demo data.

    python benchmarks/bench_data.py [--demo-dir data/demo] [--workers 0 2] [--batch-size 8] [--batches 6]

Uses the settings of ltr/train_settings/bbreg/atom.py (LaSOT, GOT-10k, TrackingNet, COCO with weights 1:1:1:1,
288x288 crops, 16 proposals per test frame, stack_dim=1). The demo data is generated into --demo-dir if it is
missing. For every worker count it discards --warmup batches (worker start-up, file cache), then times
--batches batches, repeats this --repeats times and prints the median samples/s. Torch runs with 1 intra-op
thread in every process, as the loader's workers would.
"""
import argparse
import collections
import os
import random
import statistics
import sys
import time
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import ltr.data.transforms as tfm  # noqa: E402
from ltr.data import LTRLoader, processing, sampler  # noqa: E402


def build_datasets(demo_dir):
    from ltr.dataset import Got10k, Lasot, MSCOCOSeq, TrackingNet
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the demo data holds only a few sequences of each split
        return [Lasot(os.path.join(demo_dir, 'lasot'), split='train'),
                Got10k(os.path.join(demo_dir, 'got10k', 'train'), split='vottrain'),
                TrackingNet(os.path.join(demo_dir, 'trackingnet'), set_ids=list(range(4))),
                MSCOCOSeq(os.path.join(demo_dir, 'coco'))]


def build_sampler(datasets, samples):
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    proc = processing.ATOMProcessing(
        search_area_factor=5.0, output_sz=288,
        center_jitter_factor={'train': 0, 'test': 4.5}, scale_jitter_factor={'train': 0, 'test': 0.5},
        mode='sequence',
        proposal_params={'min_iou': 0.1, 'boxes_per_frame': 16, 'sigma_factor': [0.01, 0.05, 0.1, 0.2, 0.3]},
        transform=tfm.Transform(tfm.ToTensorAndJitter(0.2), tfm.Normalize(mean=mean, std=std)),
        joint_transform=tfm.Transform(tfm.ToGrayscale(probability=0.05)))
    return sampler.ATOMSampler(datasets, [1] * len(datasets), samples_per_epoch=samples, max_gap=50,
                               processing=proc)


def _one_thread(_worker_id):
    torch.set_num_threads(1)


def time_loader(datasets, workers, batch_size, batches, warmup):
    """samples/s over `batches` batches after `warmup` batches (worker start-up excluded)."""
    total = (batches + warmup) * batch_size
    loader = LTRLoader('train', build_sampler(datasets, total), training=True, batch_size=batch_size,
                       num_workers=workers, shuffle=True, drop_last=True, stack_dim=1,
                       worker_init_fn=_one_thread if workers > 0 else None)
    it = iter(loader)
    for _ in range(warmup):
        next(it)
    start = time.perf_counter()
    n = 0
    for batch in it:
        n += batch['train_images'].shape[1]
    elapsed = time.perf_counter() - start
    del it
    return n / elapsed


def _timed(timers, name, fn):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        timers[name] += time.perf_counter() - start
        return out
    return wrapper


def stage_breakdown(datasets, num_samples):
    """ms per sample of each stage, in this process (instance attributes wrap the stages)."""
    smp = build_sampler(datasets, num_samples)
    proc = smp.processing
    timers = collections.defaultdict(float)
    for ds in datasets:
        ds.get_frames = _timed(timers, 'load frames + annotations (dataset.get_frames)', ds.get_frames)
    proc._crop_and_transform = _timed(timers, 'joint transform, jitter, crop 288x288, ToTensorAndJitter+Normalize',
                                      proc._crop_and_transform)
    proc._generate_proposals = _timed(timers, '16 proposals per test frame (perturb_box)', proc._generate_proposals)
    start = time.perf_counter()
    for i in range(num_samples):
        smp[i]
    total = time.perf_counter() - start
    for ds in datasets:
        del ds.get_frames
    timers['other (sequence/frame sampling, stacking)'] = total - sum(timers.values())
    return {k: 1000 * v / num_samples for k, v in timers.items()}, 1000 * total / num_samples


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--demo-dir', default=None, help='demo data root (default: env_settings().demo_dir)')
    ap.add_argument('--workers', type=int, nargs='+', default=[0, 2])
    ap.add_argument('--batch-size', type=int, default=8)
    ap.add_argument('--batches', type=int, default=6, help='timed batches per repeat')
    ap.add_argument('--warmup', type=int, default=1, help='untimed batches per repeat')
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--breakdown', type=int, default=64, help='samples for the per-stage table (0: skip)')
    args = ap.parse_args()

    torch.set_num_threads(1)
    demo_dir = args.demo_dir
    if demo_dir is None:
        from ltr.admin.environment import env_settings
        demo_dir = env_settings().demo_dir
    if not os.path.isdir(os.path.join(demo_dir, 'lasot')):
        from ltr.dataset.demo_data import generate
        print('generating demo data into {} ...'.format(demo_dir))
        generate(demo_dir, seed=0)

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    datasets = build_datasets(demo_dir)

    print('ATOM data pipeline: ATOMSampler(LaSOT, GOT-10k, TrackingNet, COCO) + ATOMProcessing(288, 16 proposals)'
          ' + LTRLoader(stack_dim=1)')
    print('demo data: {} | batch {} | {} timed batches x {} repeats | torch threads 1 | cpu count {}'.format(
        demo_dir, args.batch_size, args.batches, args.repeats, os.cpu_count()))
    print()
    print('| workers | samples/s (median) | min | max |')
    print('|---:|---:|---:|---:|')
    for workers in args.workers:
        rates = [time_loader(datasets, workers, args.batch_size, args.batches, args.warmup)
                 for _ in range(args.repeats)]
        print('| {} | {:.1f} | {:.1f} | {:.1f} |'.format(workers, statistics.median(rates), min(rates), max(rates)))

    if args.breakdown > 0:
        stages, total = stage_breakdown(datasets, args.breakdown)
        print()
        print('Per-stage time, {} samples in the main process:'.format(args.breakdown))
        print()
        print('| stage | ms / sample | share |')
        print('|---|---:|---:|')
        for name, ms in stages.items():
            print('| {} | {:.2f} | {:.0f}% |'.format(name, ms, 100 * ms / total))
        print('| total | {:.2f} | 100% |'.format(total))
    if hasattr(os, 'getloadavg'):
        print()
        print('load average (1 min) at the end: {:.1f} on {} cores; other processes make these numbers noisy'.format(
            os.getloadavg()[0], os.cpu_count()))


if __name__ == '__main__':
    main()
