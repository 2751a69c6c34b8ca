"""Times PrRoIPool at ATOM's training sizes and prints a table (median of N runs after warm-up).

Rows: feature map x pooled size, as in AtomIoUNet (ResNet-18 layer2: 128 ch 36x36 at 1/8, layer3: 256 ch 18x18
at 1/16); 64 images x 16 proposals per image. Columns: our compiled op (`ltr._C`), the pure-PyTorch fallback,
and torchvision.ops.roi_align with the same output size (default sampling_ratio=-1, aligned=False) as the
yardstick, plus the ratio ours / roi_align. Passes: forward; forward+backward w.r.t. the features (training);
forward+backward w.r.t. features and boxes (roi_align has no box gradient: '-').

    python benchmarks/bench_prroi_pool.py [--threads 2] [--repeats 5] [--device cpu]
"""
import argparse
import statistics
import sys
import time

import torch
from torchvision.ops import roi_align

from ltr.ops import _extension
from ltr.ops.prroi_pool_torch import prroi_pool2d_torch

CONFIGS = [  # (channels, map size, pooled size, spatial scale, where ATOM uses it)
    (128, 36, 5, 1 / 8, 'prroi_pool3t'),
    (128, 36, 3, 1 / 8, 'prroi_pool3r'),
    (256, 18, 3, 1 / 16, 'prroi_pool4t'),
    (256, 18, 1, 1 / 16, 'prroi_pool4r'),
]


def make_inputs(batch, proposals, channels, size, device, seed=0):
    g = torch.Generator().manual_seed(seed)
    features = torch.randn(batch, channels, size, size, generator=g)
    k = batch * proposals
    # proposals around a ~58 px target in a 288x288 crop (search area factor 5), as ATOM's sampler makes them
    ctr = 144 + 15 * torch.randn(k, 2, generator=g)
    wh = 30 + 60 * torch.rand(k, 2, generator=g)
    batch_idx = torch.arange(batch).repeat_interleave(proposals)[:, None].float()
    rois = torch.cat([batch_idx, ctr - wh / 2, ctr + wh / 2], 1)
    return features.to(device), rois.to(device)


def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize()


def median_ms(fn, device, repeats, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        sync(device)
        t0 = time.perf_counter()
        fn()
        sync(device)
        times.append(1000 * (time.perf_counter() - t0))
    return statistics.median(times)


def runner(pool, features, rois, mode):
    """A closure running one pass: 'fwd', 'fwd+bwd' (features), 'fwd+bwd rois' (features and boxes)."""
    def run():
        f = features.detach().requires_grad_(mode != 'fwd')
        r = rois.detach().requires_grad_(mode == 'fwd+bwd rois')
        if mode == 'fwd':
            with torch.no_grad():
                pool(f, r)
            return
        out = pool(f, r)
        out.backward(torch.ones_like(out))
    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--threads', type=int, default=2, help='torch CPU threads (default 2)')
    parser.add_argument('--repeats', type=int, default=5, help='timed runs per cell; the median is shown')
    parser.add_argument('--batch', type=int, default=64, help='images per batch (ATOM: 64)')
    parser.add_argument('--proposals', type=int, default=16, help='proposals per image (ATOM: 16)')
    parser.add_argument('--device', default='cpu', help="'cpu' or 'cuda'")
    parser.add_argument('--no-fallback', action='store_true', help='skip the (slow) pure-PyTorch column')
    args = parser.parse_args(argv)
    if args.threads < 1 or args.repeats < 1 or args.batch < 1 or args.proposals < 1:
        parser.error('--threads, --repeats, --batch and --proposals must be positive')
    device = torch.device(args.device)
    if device.type == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda: no GPU available')
    torch.set_num_threads(args.threads)
    has_op = _extension.has_kernel(device.type)

    print(f'PrRoIPool benchmark: torch {torch.__version__}, device {device}, threads {torch.get_num_threads()}, '
          f'{args.batch} images x {args.proposals} proposals = {args.batch * args.proposals} ROIs, float32, '
          f'median of {args.repeats} ms')
    if not has_op:
        reason = _extension.load_error() or 'no kernel'
        print(f'(compiled op not available for {device.type}: {reason}; column "ours" = n/a)')
    header = f'| {"features":<12} | {"pooled":<6} | {"pass":<12} | {"ours (C++)":>10} | {"fallback":>9} | ' \
             f'{"roi_align":>9} | {"ours/roi_align":>14} |'
    print(header)
    print('|' + '|'.join('-' * (len(c)) for c in header.split('|')[1:-1]) + '|')
    for channels, size, pooled, scale, _name in CONFIGS:
        features, rois = make_inputs(args.batch, args.proposals, channels, size, device)
        ours = lambda f, r, p=pooled, s=scale: torch.ops.ltr.prroi_pool2d(f, r, p, p, s)  # noqa: E731
        fallback = lambda f, r, p=pooled, s=scale: prroi_pool2d_torch(f, r, p, p, s)  # noqa: E731
        ra = lambda f, r, p=pooled, s=scale: roi_align(f, r, (p, p), spatial_scale=s)  # noqa: E731
        for mode in ('fwd', 'fwd+bwd', 'fwd+bwd rois'):
            t_ours = median_ms(runner(ours, features, rois, mode), device, args.repeats) if has_op else None
            t_fb = None if args.no_fallback else median_ms(runner(fallback, features, rois, mode), device,
                                                           max(1, args.repeats // 2))
            t_ra = median_ms(runner(ra, features, rois, mode), device, args.repeats) if mode != 'fwd+bwd rois' else None
            fmt = lambda t: f'{t:.2f}' if t is not None else '-'  # noqa: E731
            ratio = f'{t_ours / t_ra:.2f}' if (t_ours is not None and t_ra is not None) else '-'
            print(f'| {f"{channels}x{size}x{size}":<12} | {f"{pooled}x{pooled}":<6} | {mode:<12} | {fmt(t_ours):>10} | '
                  f'{fmt(t_fb):>9} | {fmt(t_ra):>9} | {ratio:>14} |', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
