"""ATOM's online classifier as least-squares problems for the Gauss-Newton / conjugate-gradient optimisers.

The classifier is  s = resp_act(f * proj_act(P * x))  (P: 1x1 projection, f: 4x4 filter, * = convolution).
Residuals follow the paper: r_j = sqrt(w_j) (s_j - y_j) for every training sample j, plus sqrt(lambda) times
each parameter block.
"""
import math

import torch
import torch.nn.functional as F

from pytracking.libs import TensorList, operation, optimization


def filter_response(samples, filters, matmul):
    """operation.conv2d(samples, filters, mode='same') for every feature block. With `matmul` (ours, for speed),
    a one-output-channel filter is applied as one matrix product over the channels, [N*H*W, C] x [C, kh*kw], and a
    shifted sum of the kh*kw product maps: the same sums in another order (float rounding apart), several times
    faster on the CPU than a convolution with a single output channel, and differentiable twice (the optimisers'
    Gauss-Newton products need that)."""
    if not matmul:
        return operation.conv2d(samples, filters, mode='same')
    return TensorList([_same_conv_matmul(x, f) if f.shape[0] == 1 else operation.conv2d(x, f, mode='same')
                       for x, f in zip(samples, filters)])


def _same_conv_matmul(x, weight):
    n, c, h, w = x.shape
    kh, kw = weight.shape[-2:]
    # products[n, y, x, k] = sum_c x[n, c, y, x] weight[0, c, dy, dx] with k = (kh-1-dy)*kw + (kw-1-dx) (the kernel
    # flipped); the NHWC view of x is free when x is channels_last (the tracker keeps its sample memory so).
    products = torch.matmul(x.permute(0, 2, 3, 1), weight.reshape(c, kh * kw).flip(-1))
    # 'same' as operation.conv2d (pad kernel_size // 2 on both sides; for an even kernel the last row/column is
    # dropped): output (y, x) = sum over (dy, dx) of the product for (dy, dx) at (y + dy - kh//2, x + dx - kw//2).
    # That shifted sum is F.fold (col2im) of the products with the flipped kernel order and padding
    # kernel - 1 - kernel//2; its gradient is F.unfold (im2col), both plain kernels. (A strided view summed over
    # the kernel offsets computes the same but its backward is autograd's generic overlapping-as_strided path:
    # index tensors and index_add, ~45 % of a filter update.)
    pad_h, pad_w = kh - 1 - kh // 2, kw - 1 - kw // 2
    # The samples go in as fold's channels of one batch element: CPU col2im / im2col loop over the batch.
    out = F.fold(products.reshape(1, n, h * w, kh * kw).transpose(2, 3).reshape(1, n * kh * kw, h * w),
                 (h + kh - 1 - 2 * pad_h, w + kw - 1 - 2 * pad_w), (kh, kw), padding=(pad_h, pad_w))
    return out[0, :, :h, :w].unsqueeze(1)


class FactorizedConvProblem(optimization.L2Problem):
    """First-frame joint problem over x = [filters..., projection matrices...].
    args:
        training_samples: TensorList of raw (uncompressed) samples [N, C, H, W].
        y: TensorList of labels [N, 1, H, W].
        filter_reg, projection_reg: TensorLists of regularisation weights (lambda).
        params: tracker parameters (unused here, kept for pytracking's signature).
        sample_weights: TensorList of per-sample weights (a 1-element tensor is broadcast to all samples).
        projection_activation, response_activation: callables applied after the projection / the filter.
    """

    def __init__(self, training_samples: TensorList, y: TensorList, filter_reg: TensorList,
                 projection_reg, params, sample_weights: TensorList, projection_activation, response_activation):
        self.training_samples = training_samples
        self.y = y
        self.filter_reg = filter_reg
        self.sample_weights = sample_weights
        self.params = params
        self.projection_reg = projection_reg
        self.projection_activation = projection_activation
        self.response_activation = response_activation
        # Diagonal preconditioner: divide each block by its regularisation weight.
        self.diag_M = self.filter_reg.concat(projection_reg)
        # Ours: the filter as a matrix product (params.filter_matmul, see filter_response).
        self.filter_matmul = params.get('filter_matmul', False) if hasattr(params, 'get') else False
        if self.filter_matmul:
            self._samples_nhwc = TensorList([x.permute(0, 2, 3, 1).contiguous() for x in training_samples])

    def __call__(self, x: TensorList):
        num = len(x) // 2
        filters, projections = x[:num], x[num:]

        if self.filter_matmul:
            # The projection as a matrix product too, on an NHWC copy of the samples made once (see __init__).
            compressed = TensorList([
                (x if p is None else torch.matmul(x, p.reshape(p.shape[0], -1).t())).permute(0, 3, 1, 2)
                for x, p in zip(self._samples_nhwc, projections)])
            compressed = compressed.apply(self.projection_activation)
        else:
            compressed = operation.conv1x1(self.training_samples, projections).apply(self.projection_activation)
        scores = filter_response(compressed, filters, self.filter_matmul).apply(self.response_activation)
        data_res = TensorList([w.sqrt().view(-1, 1, 1, 1) * (s - y)
                               for s, y, w in zip(scores, self.y, self.sample_weights)])

        residuals = TensorList(list(data_res))
        residuals.extend([math.sqrt(reg) * f for reg, f in zip(self.filter_reg, filters)])
        residuals.extend([math.sqrt(reg) * p for reg, p in zip(self.projection_reg, projections)])
        return residuals

    def ip_input(self, a: TensorList, b: TensorList):
        """Joint inner product <a_f, b_f> + <a_P, b_P> over all blocks, returned once per variable block so
        that CG treats [filters, projections] as a single variable."""
        num = len(a) // 2
        ip = sum((fa * fb).sum() for fa, fb in zip(a[:num], b[:num]))
        ip = ip + sum((pa * pb).sum() for pa, pb in zip(a[num:], b[num:]))
        ip = ip.view(-1)
        return TensorList([ip] * num).concat(TensorList([ip.clone() for _ in range(len(a) - num)]))

    def M1(self, x: TensorList):
        return TensorList([xi / d for xi, d in zip(x, self.diag_M)])


class ConvProblem(optimization.L2Problem):
    """Per-frame problem over the filters only, with the projection fixed (samples already compressed).
    args:
        training_samples: TensorList of compressed samples [M, c, H, W] (the whole memory; unused slots have
            weight 0).
        y: TensorList of labels [M, 1, H, W].
        filter_reg: TensorList of regularisation weights.
        sample_weights: TensorList of per-sample weights [M].
        response_activation: callable applied after the filter.
    """

    def __init__(self, training_samples: TensorList, y: TensorList, filter_reg: TensorList,
                 sample_weights: TensorList, response_activation):
        self.training_samples = training_samples
        self.y = y
        self.filter_reg = filter_reg
        self.sample_weights = sample_weights
        self.response_activation = response_activation
        # Ours: how many leading memory slots hold samples (None: all). The memory fills its slots in order and an
        # empty slot has weight 0, so its residual is exactly 0: leaving the empty slots out gives the same
        # solution (up to float summation order) for a fraction of the work while the memory fills up.
        self.num_used_samples = None
        self.filter_matmul = False   # ours: the tracker sets params.filter_matmul (see filter_response)

    def _used(self, tensors):
        if self.num_used_samples is None:
            return tensors
        return TensorList([t[:n] for t, n in zip(tensors, self.num_used_samples)])

    def __call__(self, x: TensorList):
        samples, labels, weights = (self._used(t) for t in (self.training_samples, self.y, self.sample_weights))
        scores = filter_response(samples, x, self.filter_matmul).apply(self.response_activation)
        residuals = TensorList([w.sqrt().view(-1, 1, 1, 1) * (s - y)
                                for s, y, w in zip(scores, labels, weights)])
        residuals.extend([math.sqrt(reg) * f for reg, f in zip(self.filter_reg, x)])
        return residuals

    def ip_input(self, a: TensorList, b: TensorList):
        """Inner product per filter block."""
        return TensorList([(ai * bi).sum().view(-1) for ai, bi in zip(a, b)])
