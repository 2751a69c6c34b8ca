"""Precise RoI Pooling in plain PyTorch (the fallback when the compiled op `ltr._C` is missing).

PrRoIPool output for one bin is the exact integral of the bilinear interpolant of the feature map over
the bin window, divided by the window area (0 when the area is 0). Feature sample (i, j) sits at the
integer point (y=i, x=j) and the map is zero outside, so the interpolant falls linearly to 0 within one
cell beyond the border.

The bilinear interpolant is f(y, x) = sum_ij h(y - i) h(x - j) F[i, j] with the hat h(t) = max(0, 1 - |t|),
so the integral over [y0, y1] x [x0, x1] factorises:
    integral = sum_ij a_i b_j F[i, j],   a_i = H(y1 - i) - H(y0 - i),   b_j likewise in x,
where H(t) = int_{-inf}^{t} h is the hat's antiderivative. Per ROI this is Wy^T F Wx / area, written with
ordinary differentiable tensor ops, so autograd gives the gradient for the features and for the box
coordinates (dH/dt = h: the derivative w.r.t. a window edge is the line integral along that edge).
"""
import torch


def hat_antiderivative(t):
    """H(t) = integral of max(0, 1-|s|) from -inf to t: 0 below -1, 1 above 1, quadratic pieces between."""
    t = t.clamp(-1.0, 1.0)
    return torch.where(t < 0, 0.5 * (t + 1.0) ** 2, 1.0 - 0.5 * (1.0 - t) ** 2)


def bin_axis_weights(roi_start, bin_size, num_bins, size):
    """Per-axis integral weights (K, num_bins, size): weight of sample i for bin p of each ROI.

    Bin p of ROI k covers [roi_start[k] + p * bin_size[k], roi_start[k] + (p + 1) * bin_size[k]].
    """
    p = torch.arange(num_bins, dtype=roi_start.dtype, device=roi_start.device)
    lo = roi_start[:, None] + bin_size[:, None] * p               # (K, num_bins)
    hi = lo + bin_size[:, None]
    idx = torch.arange(size, dtype=roi_start.dtype, device=roi_start.device)
    return hat_antiderivative(hi[..., None] - idx) - hat_antiderivative(lo[..., None] - idx)


def roi_batch_indices(rois, batch_size, name='rois'):
    """Column 0 of `rois` as long indices, checked to be whole numbers in [0, batch_size).

    Raises the ValueErrors of the compiled op's check (csrc/prroi_pool_checks.cpp), with the same messages.
    """
    batch_index = rois[:, 0].detach()
    if batch_index.numel() > 0:
        whole = torch.isfinite(batch_index) & (batch_index == batch_index.floor())
        if not bool(whole.all()):
            k = int((~whole).nonzero()[0, 0])
            raise ValueError(f'{name}[:, 0] (batch index) must hold whole numbers; got {float(batch_index[k]):g} '
                             f'at row {k}')
        lo, hi = int(batch_index.min()), int(batch_index.max())
        if lo < 0 or hi >= batch_size:
            raise ValueError(f'{name}[:, 0] (batch index) must be in [0, {batch_size}) for features with '
                             f'batch size {batch_size}; got values in [{lo}, {hi}]')
    return batch_index.long()


def prroi_pool2d_torch(features, rois, pooled_height, pooled_width, spatial_scale):
    """Pure-PyTorch PrRoIPool. features (B,C,H,W), rois (K,5) [batch_idx, x0, y0, x1, y1] -> (K,C,ph,pw).

    Differentiable w.r.t. `features` and `rois` (columns 1..4; the batch index gets no gradient).
    Inputs are assumed validated by `ltr.ops.prroi_pool.prroi_pool2d`.
    """
    B, C, H, W = features.shape
    K = rois.shape[0]
    ph, pw = int(pooled_height), int(pooled_width)
    if K == 0:   # keep the graph connected so backward gives zero gradients instead of failing
        return features.new_zeros((0, C, ph, pw)) + 0 * (features.sum() + rois.sum())
    rois = rois.to(features.dtype)
    batch_idx = roi_batch_indices(rois, B)

    x0, y0, x1, y1 = (rois[:, i] * spatial_scale for i in range(1, 5))
    # Negative extents count as empty (as in the CUDA kernel: max(roi_end - roi_start, 0)).
    bin_w = (x1 - x0).clamp(min=0) / pw
    bin_h = (y1 - y0).clamp(min=0) / ph
    area = bin_w * bin_h
    nonempty = area > 0
    inv_area = torch.where(nonempty, 1.0 / torch.where(nonempty, area, torch.ones_like(area)),
                           torch.zeros_like(area))

    wy = bin_axis_weights(y0, bin_h, ph, H)                       # (K, ph, H)
    wx = bin_axis_weights(x0, bin_w, pw, W)                       # (K, pw, W)

    # Contract one image at a time: no (K, C, H, W) gather of the feature map.
    # unbind once: indexing features[b] per image would make backward add a full-size zero tensor per image
    images = features.unbind(0)
    pieces, order = [], []
    for b in torch.unique(batch_idx).tolist():
        sel = (batch_idx == b).nonzero().squeeze(1)
        n = sel.numel()
        rows = torch.matmul(wy[sel].reshape(n * ph, H),             # (n*ph, H) @ (H, C*W)
                            images[b].transpose(0, 1).reshape(H, C * W))
        rows = rows.reshape(n, ph, C, W)
        pieces.append(torch.einsum('npcw,nqw->ncpq', rows, wx[sel]))
        order.append(sel)
    out = torch.cat(pieces, 0)
    order = torch.cat(order, 0)
    out = out[torch.argsort(order)]                               # back to the ROI order
    return out * inv_area[:, None, None, None]
