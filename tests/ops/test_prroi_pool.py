"""PrRoIPool: both backends (compiled op `ltr._C` when built, pure-PyTorch fallback) against independent
expectations: a brute-force numerical integral of the bilinear interpolant, hand-computed cases, finite
differences (gradcheck), torch.library.opcheck, and each other on ATOM-sized inputs."""
import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ltr.ops import _extension
from ltr.ops import prroi_pool as prroi_module
from ltr.ops.prroi_pool import PrRoIPool2D, prroi_pool2d
from ltr.ops.prroi_pool_torch import prroi_pool2d_torch

HAS_OPS = _extension.has_ops()
needs_ops = pytest.mark.skipif(not HAS_OPS, reason='compiled extension ltr._C not built')
# With @pytest.mark.cuda (skipped without a GPU): the op's CUDA kernels must be compiled in too.
needs_cuda_kernels = pytest.mark.skipif(not _extension.has_kernel('cuda'), reason='ltr._C built without CUDA kernels')


@pytest.fixture(autouse=True, scope='module')
def one_thread():
    """Tiny inputs: thread start-up would dominate (and the test machine is shared)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def compiled_op(features, rois, ph, pw, scale):
    return torch.ops.ltr.prroi_pool2d(features, rois.to(features.dtype), ph, pw, scale)


IMPLS = [pytest.param(compiled_op, id='op', marks=needs_ops), pytest.param(prroi_pool2d_torch, id='torch')]


# ---------------------------------------------------------------------------------------------------------
# Independent reference: dense midpoint sampling of the bilinear interpolant (numpy, float64).
# The sampling grid is refined at every integer coordinate, where the interpolant is bilinear piece by piece,
# so the midpoint rule is exact up to rounding and the tolerance can be tight.
def bilinear_at(fmap, ys, xs):
    """Bilinear interpolant of fmap (C,H,W), zero outside the samples, at the grid ys x xs -> (C, len(ys), len(xs))."""
    C, H, W = fmap.shape
    padded = np.zeros((C, H + 4, W + 4))
    padded[:, 2:H + 2, 2:W + 2] = fmap
    ys = np.clip(ys, -1.5, H + 0.5)
    xs = np.clip(xs, -1.5, W + 0.5)   # beyond one cell outside the map the interpolant is 0 anyway
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    fy, fx = ys - y0, xs - x0
    out = 0
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            vals = padded[:, (y0 + dy + 2)[:, None], (x0 + dx + 2)[None, :]]
            out = out + vals * (wy[:, None] * wx[None, :])
    return out


def midpoint_nodes(lo, hi, n=8):
    cuts = np.concatenate([np.linspace(lo, hi, n + 1), np.arange(np.ceil(lo), np.floor(hi) + 1)])
    cuts = np.unique(cuts)
    return 0.5 * (cuts[1:] + cuts[:-1]), np.diff(cuts)


def brute_force_prroi(features, rois, ph, pw, scale):
    f = features.detach().double().cpu().numpy()
    r = rois.detach().double().cpu().numpy()
    K, C = r.shape[0], f.shape[1]
    out = np.zeros((K, C, ph, pw))
    for k in range(K):
        b = int(r[k, 0])
        x0, y0, x1, y1 = r[k, 1:] * scale
        bw, bh = max(x1 - x0, 0) / pw, max(y1 - y0, 0) / ph
        if bw * bh == 0:
            continue
        for p in range(ph):
            ym, yw = midpoint_nodes(y0 + p * bh, y0 + (p + 1) * bh)
            for q in range(pw):
                xm, xw = midpoint_nodes(x0 + q * bw, x0 + (q + 1) * bw)
                vals = bilinear_at(f[b], ym, xm)
                out[k, :, p, q] = (vals * (yw[:, None] * xw[None, :])).sum(axis=(1, 2)) / (bw * bh)
    return torch.from_numpy(out)


def assert_close_rel(actual, expected, rtol):
    expected = expected.to(actual.dtype)
    scale = expected.abs().max().clamp(min=1e-12)
    err = (actual - expected).abs().max()
    assert err <= rtol * scale, f'max abs error {err.item():.3g} > {rtol} x max |expected| {scale.item():.3g}'


def tricky_rois(H, W, scale, num_images, generator):
    """Rows in image coordinates: inside, partly/fully outside, zero width/height, inverted, sub-cell, big."""
    s = 1.0 / scale
    rows = [
        [0, 1.3, 0.7, 4.9, 3.1],                      # inside
        [1, -2.5, -1.2, 3.3, 2.6],                    # partly outside (top-left)
        [0, W - 2.2, H - 1.6, W + 3.0, H + 2.0],      # partly outside (bottom-right)
        [1, -9.0, 1.0, -4.0, 3.0],                    # fully outside (left)
        [0, 2.0, H + 3.0, 4.0, H + 6.0],              # fully outside (below)
        [1, 2.0, 1.0, 2.0, 4.0],                      # zero width
        [0, 1.0, 2.5, 3.0, 2.5],                      # zero height
        [1, 4.0, 1.0, 2.0, 3.0],                      # inverted (x1 < x0): empty
        [0, 2.3, 1.6, 2.45, 1.8],                     # smaller than one cell
        [1, -0.6, -0.4, W - 0.3, H - 0.8],            # about the whole map, sub-cell overhang
    ]
    rand = torch.rand(6, 4, generator=generator, dtype=torch.float64)
    for i in range(6):
        xa, xb = sorted((rand[i, 0].item() * (W + 2) - 1, rand[i, 1].item() * (W + 2) - 1))
        ya, yb = sorted((rand[i, 2].item() * (H + 2) - 1, rand[i, 3].item() * (H + 2) - 1))
        rows.append([i % num_images, xa, ya, xb, yb])
    rois = torch.tensor(rows, dtype=torch.float64)
    rois[:, 0] = rois[:, 0].clamp(max=num_images - 1)
    rois[:, 1:] *= s
    return rois


# ---------------------------------------------------------------------------------------------------------
# Forward
@pytest.mark.parametrize('impl', IMPLS)
@pytest.mark.parametrize('dtype', [torch.float64, torch.float32])
@pytest.mark.parametrize('ph,pw,scale', [(3, 2, 0.5), (1, 1, 1.0), (5, 5, 0.125)])
def test_forward_matches_brute_force_integral(impl, dtype, ph, pw, scale):
    g = torch.Generator().manual_seed(ph * 10 + pw)
    features = torch.randn(3, 4, 7, 9, generator=g, dtype=torch.float64)
    rois = tricky_rois(7, 9, scale, 3, g)
    expected = brute_force_prroi(features, rois, ph, pw, scale)
    out = impl(features.to(dtype), rois.to(dtype), ph, pw, scale)
    assert out.shape == (rois.shape[0], 4, ph, pw) and out.dtype == dtype
    assert_close_rel(out, expected, 1e-4 if dtype == torch.float32 else 1e-10)
    # empty ROIs (zero/negative extent, fully outside) give exactly 0
    assert (out[[3, 4, 5, 6, 7]] == 0).all()


@pytest.mark.parametrize('impl', IMPLS)
def test_non_contiguous_inputs(impl):
    g = torch.Generator().manual_seed(3)
    base = torch.randn(2, 8, 10, 5, generator=g, dtype=torch.float64)
    features = base.transpose(2, 3)[:, ::2]                  # (2, 4, 5, 10), non-contiguous
    assert not features.is_contiguous()
    wide = torch.cat([tricky_rois(5, 10, 1.0, 2, g), torch.zeros(16, 1, dtype=torch.float64)], 1)
    rois = wide[:, :5]                                       # non-contiguous rows
    assert not rois.is_contiguous()
    out = impl(features, rois, 2, 3, 1.0)
    assert_close_rel(out, brute_force_prroi(features, rois, 2, 3, 1.0), 1e-10)


@pytest.mark.parametrize('impl', IMPLS)
def test_empty_roi_list(impl):
    features = torch.randn(2, 3, 6, 6, requires_grad=True)
    out = impl(features, torch.zeros(0, 5), 5, 5, 0.125)
    assert out.shape == (0, 3, 5, 5)
    out.sum().backward()
    assert torch.equal(features.grad, torch.zeros_like(features))


@pytest.mark.parametrize('impl', IMPLS)
def test_hand_case_equals_avg_pool(impl):
    """PrRoIPool(7,7,0.5) on ROI [0,0,0,14,14]: every bin is one cell [p, p+1] x [q, q+1]; the integral of a
    bilinear patch is the mean of its 4 corners, i.e. avg_pool2d(kernel 2, stride 1)."""
    features = torch.randn(2, 3, 10, 9, dtype=torch.float64)
    rois = torch.tensor([[0, 0, 0, 14, 14], [1, 0, 0, 14, 14]], dtype=torch.float64)
    out = impl(features, rois, 7, 7, 0.5)
    expected = F.avg_pool2d(features, 2, 1)[:, :, :7, :7]
    torch.testing.assert_close(out, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize('impl', IMPLS)
def test_hand_cases_linear_and_border(impl):
    H, W = 4, 6
    ramp = torch.arange(W, dtype=torch.float64).expand(1, 1, H, W)   # f(y, x) = x inside the map
    # mean of x over [1.25, 3.75] is 2.5; two bins: [1.25, 2.5] -> 1.875, [2.5, 3.75] -> 3.125
    out = impl(ramp, torch.tensor([[0, 1.25, 0.5, 3.75, 2.5]], dtype=torch.float64), 1, 2, 1.0)
    torch.testing.assert_close(out.flatten(), torch.tensor([1.875, 3.125], dtype=torch.float64))
    ones = torch.ones(1, 1, H, W, dtype=torch.float64)
    rois = torch.tensor([[0, -1, 0, 0, 3],         # left border band: interpolant rises 0 -> 1, mean 1/2
                         [0, -1, -1, 0, 0],        # corner band: mean of x*y over the unit square = 1/4
                         [0, 0, 0, W - 1, H - 1],  # inside: 1
                         [0, -1, -1, W, H]],       # whole support: integral (W-1)*(H-1)+... / area
                        dtype=torch.float64)
    out = impl(ones, rois, 1, 1, 1.0).flatten()
    # whole support: integral over x of the 1-D profile is W-1 (interior) + 2*(1/2) = W, same in y
    expected = torch.tensor([0.5, 0.25, 1.0, (W * H) / ((W + 1) * (H + 1))], dtype=torch.float64)
    torch.testing.assert_close(out, expected)


# ---------------------------------------------------------------------------------------------------------
# Gradients
def _grad_case(seed, dtype=torch.float64, device='cpu'):
    g = torch.Generator().manual_seed(seed)
    features = torch.randn(2, 2, 5, 6, generator=g, dtype=dtype).to(device)
    n = 5
    xy0 = torch.rand(n, 2, generator=g, dtype=dtype) * 9 - 2        # some start outside the map (scale 0.5 -> /2)
    wh = torch.rand(n, 2, generator=g, dtype=dtype) * 8 + 0.3
    coords = torch.cat([xy0, xy0 + wh], 1).to(device)
    batch = torch.tensor([0, 1, 1, 0, 1], dtype=dtype).to(device)[:, None]
    return features, batch, coords


@pytest.mark.parametrize('impl', IMPLS)
@pytest.mark.parametrize('seed', [0, 1, 2])
def test_gradcheck_features_and_rois(impl, seed):
    features, batch, coords = _grad_case(seed)
    features.requires_grad_(True)
    coords.requires_grad_(True)

    def fn(feat, xyxy):
        return impl(feat, torch.cat([batch, xyxy], 1), 2, 3, 0.5)

    assert torch.autograd.gradcheck(fn, (features, coords), eps=1e-6, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize('impl', IMPLS)
def test_gradient_only_rois_or_only_features(impl):
    features, batch, coords = _grad_case(7)
    coords.requires_grad_(True)
    out = impl(features, torch.cat([batch, coords], 1), 2, 2, 0.5)
    (g,) = torch.autograd.grad(out.square().sum(), coords)
    assert torch.isfinite(g).all() and g.abs().sum() > 0
    features.requires_grad_(True)
    out = impl(features, torch.cat([batch, coords.detach()], 1), 2, 2, 0.5)
    (g,) = torch.autograd.grad(out.sum(), features)
    assert g.abs().sum() > 0


@pytest.mark.parametrize('impl', IMPLS)
def test_empty_roi_gradient_is_zero_not_nan(impl):
    features = torch.randn(1, 2, 5, 5, dtype=torch.float64, requires_grad=True)
    rois = torch.tensor([[0, 3.0, 1, 1.0, 4], [0, 1, 2, 3, 2], [0, -9, -9, -8, -8]], dtype=torch.float64,
                        requires_grad=True)
    out = impl(features, rois, 2, 2, 1.0)
    out.sum().backward()
    assert torch.equal(rois.grad, torch.zeros_like(rois))
    assert torch.equal(features.grad, torch.zeros_like(features))


@needs_ops
def test_batch_index_gets_no_gradient():
    features, batch, coords = _grad_case(5)
    rois = torch.cat([batch, coords], 1).requires_grad_(True)
    prroi_pool2d(features, rois, 2, 2, 0.5).sum().backward()
    assert torch.equal(rois.grad[:, 0], torch.zeros(5, dtype=torch.float64))


@needs_ops
def test_opcheck():
    for seed in (0, 1):
        features, batch, coords = _grad_case(seed)
        rois = torch.cat([batch, coords], 1)
        torch.library.opcheck(torch.ops.ltr.prroi_pool2d.default,
                              (features.requires_grad_(True), rois.requires_grad_(True), 2, 3, 0.5))
        torch.library.opcheck(torch.ops.ltr.prroi_pool2d.default, (features.detach(), rois.detach(), 1, 1, 1.0))


@needs_ops
def test_torch_compile_traces_without_graph_break():
    features, batch, coords = _grad_case(2)
    coords.requires_grad_(True)

    def fn(feat, xyxy):
        return torch.ops.ltr.prroi_pool2d(feat, torch.cat([batch, xyxy], 1), 2, 2, 0.5).square().sum()

    compiled = torch.compile(fn, backend='aot_eager', fullgraph=True)
    (g_c,) = torch.autograd.grad(compiled(features, coords), coords)
    (g_e,) = torch.autograd.grad(fn(features, coords), coords)
    torch.testing.assert_close(g_c, g_e)


# ---------------------------------------------------------------------------------------------------------
# Compiled op == fallback on ATOM sizes (float32), forward and both gradients
@needs_ops
@pytest.mark.parametrize('C,size,ph,scale', [(128, 36, 5, 1 / 8), (128, 36, 3, 1 / 8), (256, 18, 3, 1 / 16),
                                             (256, 18, 1, 1 / 16)])
def test_op_matches_fallback_atom_sizes(C, size, ph, scale):
    g = torch.Generator().manual_seed(C + ph)
    B, per_image = 2, 16
    features = torch.randn(B, C, size, size, generator=g)
    # proposals around a target box in a 288x288 crop, as ATOM's training sampler makes them
    ctr = 144 + 30 * torch.randn(B * per_image, 2, generator=g)
    wh = 40 + 80 * torch.rand(B * per_image, 2, generator=g)
    rois = torch.cat([torch.arange(B).repeat_interleave(per_image)[:, None].float(), ctr - wh / 2, ctr + wh / 2], 1)
    f1, r1 = features.clone().requires_grad_(True), rois.clone().requires_grad_(True)
    f2, r2 = features.clone().requires_grad_(True), rois.clone().requires_grad_(True)
    out_op = compiled_op(f1, r1, ph, ph, scale)
    out_ref = prroi_pool2d_torch(f2, r2, ph, ph, scale)
    torch.testing.assert_close(out_op, out_ref, rtol=1e-5, atol=1e-5)
    grad = torch.randn(out_op.shape, generator=g)
    out_op.backward(grad)
    out_ref.backward(grad)
    torch.testing.assert_close(f1.grad, f2.grad, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(r1.grad, r2.grad, rtol=1e-4, atol=1e-3 * r2.grad.abs().max().item())


@needs_ops
@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
def test_op_low_precision_cpu(dtype):
    features, batch, coords = _grad_case(4, dtype=torch.float32)
    rois = torch.cat([batch, coords], 1)
    expected = compiled_op(features, rois, 3, 3, 0.5)
    out = compiled_op(features.to(dtype), rois.to(dtype), 3, 3, 0.5)
    assert out.dtype == dtype
    torch.testing.assert_close(out.float(), expected, rtol=0.05, atol=0.05)


def random_boxes(K, H, W, scale, num_images, generator):
    """(K, 5) float64 rois in image coordinates of every kind the kernels branch on: random boxes anywhere (many
    cross the map border, some lie outside), zero width / height / area, inverted, sub-cell, and edges on
    sample points (integer feature coordinates)."""
    def rand(*shape):
        return torch.rand(*shape, generator=generator, dtype=torch.float64)
    size = torch.tensor([W, H], dtype=torch.float64)
    xy0 = (rand(K, 2) * 1.4 - 0.2) * size - 1                    # feature coordinates, from outside to outside
    wh = rand(K, 2) ** 2 * size                                  # mostly small, some about the whole map
    wh[0:3] = 0                                                  # zero area
    wh[3:5, 0] = 0                                               # zero width
    wh[5:7, 1] = 0                                               # zero height
    wh[7:9] *= -1                                                # inverted: empty
    wh[9:12] = rand(3, 2) * 0.3                                  # sub-cell
    xy0[12:15], wh[12:15] = xy0[12:15].round(), wh[12:15].round() + 1   # edges on sample points
    xy0[15:17] = size + 2                                        # fully outside (bottom-right)
    xy0[17:19], wh[17:19] = -0.5, size                           # about the whole map, sub-cell overhang
    batch = torch.randint(0, num_images, (K, 1), generator=generator).double()
    return torch.cat([batch, torch.cat([xy0, xy0 + wh], 1) / scale], 1)


def _layout(features, layout):
    if layout == 'channels_last':
        out = features.contiguous(memory_format=torch.channels_last)
    elif layout == 'view':                                       # no unit stride along x: the generic gather
        out = features.transpose(2, 3).contiguous().transpose(2, 3)
        assert out.stride(3) != 1 and out.stride(1) != 1
    else:
        out = features
    assert torch.equal(out, features)
    return out


@needs_ops
@pytest.mark.parametrize('layout', ['contiguous', 'channels_last', 'view'])
@pytest.mark.parametrize('dtype', [torch.float64, torch.float32])
@pytest.mark.parametrize('B,C,size,ph,pw,scale', [(1, 256, 36, 5, 5, 1 / 8), (2, 256, 18, 3, 3, 1 / 16),
                                                  (2, 37, 11, 3, 2, 0.5)])
def test_op_matches_fallback_random_boxes(B, C, size, ph, pw, scale, dtype, layout):
    """Forward and both gradients of the compiled op against the fallback (float64) on many random and
    degenerate boxes, for every feature layout the kernels read (C=37: a partial channel block)."""
    g = torch.Generator().manual_seed(C + size + ph)
    # the reference sees the same (rounded) values as the op
    features64 = torch.randn(B, C, size, size + 3, generator=g, dtype=torch.float64).to(dtype).double()
    rois64 = random_boxes(48, size, size + 3, scale, B, g).to(dtype).double()
    grad64 = torch.randn(48, C, ph, pw, generator=g, dtype=torch.float64).to(dtype).double()
    rows = torch.ones(48, dtype=torch.bool)
    if dtype == torch.float32:
        # float32 loses ~eps / (box side in cells) on thin boxes (1 / area amplifies the rounding; the fallback
        # and the previous kernel alike): compare on the others (float64 checks all)
        rows = ((rois64[:, 3:] - rois64[:, 1:3]) * scale).min(1).values >= 0.25
        grad64[~rows] = 0
        assert rows.sum() >= 25
    f, r = features64.clone().requires_grad_(True), rois64.clone().requires_grad_(True)
    out_ref = prroi_pool2d_torch(f, r, ph, pw, scale)
    out_ref.backward(grad64)

    features = _layout(features64.to(dtype), layout).requires_grad_(True)
    rois = rois64.to(dtype).requires_grad_(True)
    out = compiled_op(features, rois, ph, pw, scale)
    out.backward(grad64.to(dtype))
    tight = dtype == torch.float64
    assert_close_rel(out[rows], out_ref[rows], 1e-12 if tight else 2e-5)
    assert_close_rel(features.grad, f.grad, 1e-12 if tight else 2e-5)
    assert_close_rel(rois.grad, r.grad, 1e-10 if tight else 5e-5)
    # the ROI gradient alone (the tracker's box refinement) is the same
    _, roi_grad = torch.ops.ltr._prroi_pool2d_backward(grad64.to(dtype), features.detach(), rois.detach(),
                                                       out.detach(), ph, pw, scale, False, True)
    assert torch.equal(roi_grad, rois.grad)
    # empty boxes (zero area, inverted, outside the map): exactly 0 out and 0 gradient
    empty = list(range(9)) + [15, 16]
    assert (out[empty] == 0).all() and (rois.grad[empty] == 0).all() and (r.grad[empty] == 0).all()


@needs_ops
def test_op_results_do_not_depend_on_thread_count():
    g = torch.Generator().manual_seed(11)
    features = torch.randn(2, 100, 36, 36, generator=g)
    rois = random_boxes(40, 36, 36, 1 / 8, 2, g).float()
    grad = torch.randn(40, 100, 5, 5, generator=g)
    results = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        try:
            for feat in (features, features.contiguous(memory_format=torch.channels_last)):
                out = torch.ops.ltr.prroi_pool2d(feat, rois, 5, 5, 1 / 8)
                results.append((out,) + torch.ops.ltr._prroi_pool2d_backward(grad, feat, rois, out, 5, 5, 1 / 8,
                                                                             True, True))
        finally:
            torch.set_num_threads(1)
    for a, b in zip(results[:2], results[2:]):
        for x, y in zip(a, b):
            assert torch.equal(x, y)


# ---------------------------------------------------------------------------------------------------------
# CUDA (run only where a GPU is present)
@pytest.mark.cuda
@needs_cuda_kernels
@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_cuda_matches_brute_force_and_cpu(dtype):
    g = torch.Generator().manual_seed(11)
    features = torch.randn(3, 4, 7, 9, generator=g, dtype=torch.float64)
    rois = tricky_rois(7, 9, 0.5, 3, g)
    out = prroi_pool2d(features.to(dtype).cuda(), rois.to(dtype).cuda(), 3, 2, 0.5)
    assert out.is_cuda
    assert_close_rel(out.cpu(), brute_force_prroi(features, rois, 3, 2, 0.5), 1e-4 if dtype == torch.float32 else 1e-10)


@pytest.mark.cuda
@needs_cuda_kernels
@pytest.mark.parametrize('seed', [0, 1, 2])
def test_cuda_gradcheck(seed):
    features, batch, coords = _grad_case(seed, device='cuda')
    features.requires_grad_(True)
    coords.requires_grad_(True)
    fn = lambda feat, xyxy: prroi_pool2d(feat, torch.cat([batch, xyxy], 1), 2, 3, 0.5)  # noqa: E731
    assert torch.autograd.gradcheck(fn, (features, coords), eps=1e-6, atol=1e-6, rtol=1e-4)


@pytest.mark.cuda
@needs_cuda_kernels
def test_cuda_opcheck_and_grads_match_cpu():
    features, batch, coords = _grad_case(9)
    rois = torch.cat([batch, coords], 1)
    torch.library.opcheck(torch.ops.ltr.prroi_pool2d.default,
                          (features.cuda().requires_grad_(True), rois.cuda().requires_grad_(True), 2, 3, 0.5))
    grads = []
    for dev in ('cpu', 'cuda'):
        f, r = features.to(dev).requires_grad_(True), rois.to(dev).requires_grad_(True)
        prroi_pool2d(f, r, 2, 3, 0.5).square().sum().backward()
        grads.append((f.grad.cpu(), r.grad.cpu()))
    torch.testing.assert_close(grads[0], grads[1])


# ---------------------------------------------------------------------------------------------------------
# API: module, pytracking import path, errors, fallback warning
def test_module_and_pytracking_path():
    from ltr.external.PreciseRoIPooling.pytorch.prroi_pool import PrRoIPool2D as ShimModule
    from ltr.external.PreciseRoIPooling.pytorch.prroi_pool import prroi_pool2d as shim_fn
    assert ShimModule is PrRoIPool2D and shim_fn is prroi_pool2d
    pool = PrRoIPool2D(5, 3, 0.125)
    assert (pool.pooled_height, pool.pooled_width, pool.spatial_scale) == (5, 3, 0.125)
    assert len(pool.state_dict()) == 0
    features = torch.randn(1, 2, 8, 8)
    rois = torch.tensor([[0, 8.0, 8.0, 40.0, 48.0]])
    torch.testing.assert_close(pool(features, rois), prroi_pool2d_torch(features, rois, 5, 3, 0.125))


@pytest.mark.parametrize('features,rois,match', [
    (torch.zeros(2, 3, 4), torch.zeros(1, 5), 'features must be a 4-D'),
    (torch.zeros(1, 1, 4, 4), torch.zeros(1, 4), r'rois must be a \(K, 5\)'),
    (torch.zeros(1, 1, 4, 4, dtype=torch.int64), torch.zeros(1, 5), 'floating-point'),
    (torch.zeros(1, 1, 4, 4), torch.tensor([[1.0, 0, 0, 2, 2]]), r'batch index\) must be in \[0, 1\)'),
    (torch.zeros(1, 1, 4, 4), torch.tensor([[0.5, 0, 0, 2, 2]]), 'whole numbers'),
])
def test_bad_input_errors(features, rois, match):
    with pytest.raises((ValueError, TypeError), match=match):
        prroi_pool2d(features, rois, 2, 2, 1.0)


def test_bad_pooled_size_errors():
    with pytest.raises(ValueError, match='pooled_width must be a positive integer'):
        prroi_pool2d(torch.zeros(1, 1, 4, 4), torch.zeros(1, 5), 2, 0, 1.0)


def test_fallback_warns_once(monkeypatch):
    monkeypatch.setattr(_extension, 'has_kernel', lambda device_type: False)
    monkeypatch.setattr(prroi_module, '_warned', False)
    features, rois = torch.randn(1, 2, 5, 5), torch.tensor([[0, 0.5, 0.5, 3.0, 4.0]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        a = prroi_pool2d(features, rois, 2, 2, 1.0)
        prroi_pool2d(features, rois, 2, 2, 1.0)
    assert sum('pure-PyTorch' in str(w.message) for w in caught) == 1
    torch.testing.assert_close(a, prroi_pool2d_torch(features, rois, 2, 2, 1.0))


# ---------------------------------------------------------------------------------------------------------
# Bad batch indices: one check (csrc/prroi_pool_checks.cpp) for both kernels, the same messages as the fallback
BAD_BATCH_CASES = [
    pytest.param([0.0, 2.0, 1.0], r'must be in \[0, 2\) for features with batch size 2; got values in \[0, 2\]',
                 id='too-large'),
    pytest.param([-1.0, 0.0, 1.0], r'must be in \[0, 2\) .*got values in \[-1, 1\]', id='negative'),
    pytest.param([0.0, 0.5, 1.0], r'must hold whole numbers; got 0\.5 at row 1', id='fraction'),
    pytest.param([0.0, 1.0, float('nan')], r'must hold whole numbers; got nan at row 2', id='nan'),
    pytest.param([float('inf'), 0.0, 1.0], r'must hold whole numbers; got inf at row 0', id='inf'),
]


def _bad_batch_inputs(batch, device='cpu', dtype=torch.float32):
    features = torch.randn(2, 3, 6, 7, dtype=dtype)
    rois = torch.tensor([[b, 0.5, 0.5, 4.0, 3.0] for b in batch], dtype=dtype)
    return features.to(device), rois.to(device)


def _error_message(fn, *args):
    with pytest.raises(ValueError) as info:
        fn(*args)
    return str(info.value).splitlines()[0]


@needs_ops
@pytest.mark.parametrize('batch,match', BAD_BATCH_CASES)
def test_op_bad_batch_index_raises_like_the_fallback(batch, match):
    features, rois = _bad_batch_inputs(batch)
    op_msg = _error_message(torch.ops.ltr.prroi_pool2d, features, rois, 2, 2, 1.0)
    assert op_msg.startswith('rois[:, 0] (batch index) ')
    assert re.search(match, op_msg), op_msg
    assert op_msg == _error_message(prroi_pool2d_torch, features, rois, 2, 2, 1.0)
    assert op_msg == _error_message(prroi_pool2d, features, rois, 2, 2, 1.0)   # the public API, same error
    # the backward op checks too (it is callable on its own)
    grad = torch.ones(len(batch), 3, 2, 2)
    assert op_msg == _error_message(torch.ops.ltr._prroi_pool2d_backward, grad, features, rois, grad, 2, 2, 1.0,
                                    True, True)


@needs_ops
@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16, torch.float64])
def test_op_bad_batch_index_other_dtypes(dtype):
    features, rois = _bad_batch_inputs([0.0, 3.0, 1.0], dtype=dtype)
    with pytest.raises(ValueError, match=r'got values in \[0, 3\]'):
        torch.ops.ltr.prroi_pool2d(features, rois, 2, 2, 1.0)


@pytest.mark.cuda
@needs_cuda_kernels
@pytest.mark.parametrize('batch,match', BAD_BATCH_CASES)
def test_cuda_bad_batch_index_raises_like_cpu(batch, match):
    features, rois = _bad_batch_inputs(batch)
    cpu_msg = _error_message(torch.ops.ltr.prroi_pool2d, features, rois, 2, 2, 1.0)
    cuda_msg = _error_message(torch.ops.ltr.prroi_pool2d, features.cuda(), rois.cuda(), 2, 2, 1.0)
    assert cuda_msg == cpu_msg
    assert cuda_msg == _error_message(prroi_pool2d, features.cuda(), rois.cuda(), 2, 2, 1.0)
    grad = torch.ones(len(batch), 3, 2, 2, device='cuda')
    assert cuda_msg == _error_message(torch.ops.ltr._prroi_pool2d_backward, grad, features.cuda(), rois.cuda(),
                                      grad, 2, 2, 1.0, True, True)


@pytest.mark.cuda
@needs_cuda_kernels
def test_cuda_feature_gradient_alerts_deterministic_mode():
    features, batch, coords = _grad_case(3, dtype=torch.float32, device='cuda')
    rois = torch.cat([batch, coords], 1)
    before, before_warn = torch.are_deterministic_algorithms_enabled(), \
        torch.is_deterministic_algorithms_warn_only_enabled()
    try:
        torch.use_deterministic_algorithms(True)
        f = features.clone().requires_grad_(True)
        out = prroi_pool2d(f, rois, 2, 2, 0.5)
        with pytest.raises(RuntimeError, match='prroi_pool2d_backward_cuda'):
            out.sum().backward()
        # the ROI gradient alone is deterministic (a reduction, no atomics): no alert
        r = rois.clone().requires_grad_(True)
        prroi_pool2d(features, r, 2, 2, 0.5).sum().backward()
        assert r.grad is not None
        torch.use_deterministic_algorithms(True, warn_only=True)
        f = features.clone().requires_grad_(True)
        with pytest.warns(UserWarning, match='prroi_pool2d_backward_cuda'):
            prroi_pool2d(f, rois, 2, 2, 0.5).sum().backward()
        assert f.grad is not None
    finally:
        torch.use_deterministic_algorithms(before, warn_only=before_warn)
