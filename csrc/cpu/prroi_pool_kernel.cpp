// CPU kernels of Precise RoI Pooling (forward; backward for features and ROI coordinates).
//
// Separable evaluation (see prroi_pool.h): for each ROI the per-axis integral weights of every bin, a_pi for the
// rows and b_qj for the columns, are computed once (AxisTable: each bin's first sample, sample count and weights).
// Forward: for each (ROI, channel), each bin output is the direct double sum over the bin's samples,
// (sum_i a_pi sum_j b_qj F[i, j]) / area, read straight from the feature plane; no buffers (bins span only a few
// samples per axis). Work per (ROI, channel) is ph * pw * (samples per bin), independent of how finely one
// would sample. The backward passes reuse the tables with one row buffer per thread: the feature gradient builds
// V[j] = sum_q (dL/dout_pq / area) b_qj for each bin row p and adds a_pi V[j] to feature row i; the ROI gradient
// builds T[j] = sum_i a_pi F[i, j] (contract_rows) and interpolates it at the bins' vertical edges.
// Parallel: forward over ROI x channel, feature gradient over channels (no two threads write the same
// plane, so it is deterministic), ROI gradient over ROIs. Input checks: ../prroi_pool_checks.cpp (shared with
// the CUDA kernels).
#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/Parallel.h>
#include <torch/library.h>

#include <algorithm>
#include <vector>

#include "../prroi_pool.h"

namespace ltr {
namespace ops {
namespace {

// Integral weights of one axis for every ROI and bin: bin (k, p) uses samples first[k*nb+p] ..
// first + count - 1, with weights w[(k*nb+p)*size + t]; lo/hi are the bin's window edges.
template <typename acc_t>
struct AxisTable {
  int64_t nb = 0, size = 0;
  std::vector<int64_t> first, count;
  std::vector<acc_t> w, lo, hi;

  AxisTable(int64_t num_rois, int64_t num_bins, int64_t axis_size)
      : nb(num_bins), size(axis_size), first(num_rois * num_bins), count(num_rois * num_bins),
        w(num_rois * num_bins * axis_size), lo(num_rois * num_bins), hi(num_rois * num_bins) {}

  void fill(int64_t k, acc_t start, acc_t bin) {
    for (int64_t p = 0; p < nb; ++p) {
      const int64_t kp = k * nb + p;
      const acc_t l = start + bin * acc_t(p);
      const acc_t h = l + bin;
      int64_t f, last;
      window_range(l, h, size, &f, &last);
      first[kp] = f;
      count[kp] = std::max<int64_t>(0, last - f + 1);
      lo[kp] = l;
      hi[kp] = h;
      acc_t* wk = &w[kp * size];
      for (int64_t t = 0; t < count[kp]; ++t) wk[t] = window_weight(l, h, f + t);
    }
  }

  // [begin, end) covering the samples of all bins of ROI k
  void span(int64_t k, int64_t* begin, int64_t* end) const {
    int64_t b = size, e = 0;
    for (int64_t p = 0; p < nb; ++p) {
      const int64_t kp = k * nb + p;
      if (count[kp] == 0) continue;
      b = std::min(b, first[kp]);
      e = std::max(e, first[kp] + count[kp]);
    }
    *begin = b;
    *end = std::max(b, e);
  }
};

template <typename acc_t>
struct RoiTables {
  std::vector<RoiGeometry<acc_t>> geom;
  AxisTable<acc_t> ys, xs;
  std::vector<int64_t> x_begin, x_end;  // columns touched by any bin of the ROI

  // The batch indices must have been validated (check_inputs) before.
  template <typename scalar_t>
  RoiTables(const scalar_t* rois, int64_t K, int64_t H, int64_t W, int64_t ph, int64_t pw, double spatial_scale)
      : geom(K), ys(K, ph, H), xs(K, pw, W), x_begin(K), x_end(K) {
    at::parallel_for(0, K, 16, [&](int64_t begin, int64_t end) {
      for (int64_t k = begin; k < end; ++k) {
        geom[k] = roi_geometry<acc_t>(rois + k * 5, acc_t(spatial_scale), ph, pw);
        ys.fill(k, geom[k].y0, geom[k].bin_h);
        xs.fill(k, geom[k].x0, geom[k].bin_w);
        xs.span(k, &x_begin[k], &x_end[k]);
      }
    });
  }
};

// T[j] = sum over the samples i of bin (k, p) of a_pi * plane[i, j], for j in [jb, je)
template <typename acc_t, typename scalar_t>
inline void contract_rows(const AxisTable<acc_t>& ys, int64_t k, int64_t p, const scalar_t* plane, int64_t W,
                          int64_t jb, int64_t je, acc_t* T) {
  std::fill(T + jb, T + je, acc_t(0));
  const int64_t kp = k * ys.nb + p;
  const acc_t* a = &ys.w[kp * ys.size];
  for (int64_t t = 0; t < ys.count[kp]; ++t) {
    const acc_t ai = a[t];
    const scalar_t* row = plane + (ys.first[kp] + t) * W;
    for (int64_t j = jb; j < je; ++j) T[j] += ai * static_cast<acc_t>(row[j]);
  }
}

// sum_j b_qj v[j] over the samples of bin (k, q)
template <typename acc_t, typename V>
inline acc_t dot_bin(const AxisTable<acc_t>& xs, int64_t k, int64_t q, const V* v) {
  const int64_t kq = k * xs.nb + q;
  const acc_t* b = &xs.w[kq * xs.size];
  const V* vv = v + xs.first[kq];
  acc_t s = 0;
  for (int64_t t = 0; t < xs.count[kq]; ++t) s += b[t] * static_cast<acc_t>(vv[t]);
  return s;
}

// Linear interpolation of v (length n, zero outside [lo_valid, hi_valid)) at point x.
template <typename acc_t>
inline acc_t interp(const acc_t* v, int64_t lo_valid, int64_t hi_valid, acc_t x) {
  const acc_t fl = std::floor(x);
  const int64_t j = static_cast<int64_t>(fl);
  const acc_t f = x - fl;
  acc_t s = 0;
  if (j >= lo_valid && j < hi_valid) s += (acc_t(1) - f) * v[j];
  if (j + 1 >= lo_valid && j + 1 < hi_valid) s += f * v[j + 1];
  return s;
}

at::Tensor prroi_pool2d_forward_cpu(const at::Tensor& features_, const at::Tensor& rois_, int64_t ph, int64_t pw,
                                    double spatial_scale) {
  check_inputs(features_, rois_, ph, pw, c10::DeviceType::CPU);
  const auto features = features_.contiguous();
  const auto rois = rois_.contiguous();
  const int64_t C = features.size(1), H = features.size(2), W = features.size(3);
  const int64_t K = rois.size(0);
  auto output = at::empty({K, C, ph, pw}, features.options());
  if (output.numel() == 0) return output;
  if (H == 0 || W == 0) return output.zero_();

  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, features.scalar_type(), "prroi_pool2d_forward_cpu", [&] {
    using acc_t = at::opmath_type<scalar_t>;
    const RoiTables<acc_t> tab(rois.const_data_ptr<scalar_t>(), K, H, W, ph, pw, spatial_scale);
    const scalar_t* F = features.const_data_ptr<scalar_t>();
    scalar_t* out = output.mutable_data_ptr<scalar_t>();
    const int64_t grain = std::max<int64_t>(1, 4096 / std::max<int64_t>(1, H * W / 16));
    at::parallel_for(0, K * C, grain, [&](int64_t begin, int64_t end) {
      // [begin, end) covers whole or partial channel ranges of consecutive ROIs: set each ROI up once.
      for (int64_t k = begin / C; k * C < end; ++k) {
        const int64_t c_begin = std::max(begin, k * C) - k * C, c_end = std::min(end, (k + 1) * C) - k * C;
        const auto& g = tab.geom[k];
        if (g.inv_area == acc_t(0)) {
          std::fill(out + (k * C + c_begin) * ph * pw, out + (k * C + c_end) * ph * pw, scalar_t(0));
          continue;
        }
        const int64_t* y_first = &tab.ys.first[k * ph];
        const int64_t* y_count = &tab.ys.count[k * ph];
        const acc_t* y_w = &tab.ys.w[k * ph * H];
        const int64_t* x_first = &tab.xs.first[k * pw];
        const int64_t* x_count = &tab.xs.count[k * pw];
        const acc_t* x_w = &tab.xs.w[k * pw * W];
        const acc_t inv_area = g.inv_area;
        for (int64_t c = c_begin; c < c_end; ++c) {
          const scalar_t* plane = F + (g.batch * C + c) * H * W;
          scalar_t* o = out + (k * C + c) * ph * pw;
          // Bins are small (a few samples per axis): a direct double sum per bin beats building row buffers.
          for (int64_t p = 0; p < ph; ++p) {
            const acc_t* a = y_w + p * H;
            const scalar_t* rows = plane + y_first[p] * W;
            const int64_t ni = y_count[p];
            for (int64_t q = 0; q < pw; ++q) {
              const acc_t* b = x_w + q * W;
              const scalar_t* base = rows + x_first[q];
              const int64_t nj = x_count[q];
              acc_t s = 0;
              for (int64_t ti = 0; ti < ni; ++ti) {
                const scalar_t* row = base + ti * W;
                acc_t r = 0;
                for (int64_t tj = 0; tj < nj; ++tj) r += b[tj] * static_cast<acc_t>(row[tj]);
                s += a[ti] * r;
              }
              o[p * pw + q] = static_cast<scalar_t>(s * inv_area);
            }
          }
        }
      }
    });
  });
  return output;
}

template <typename scalar_t, typename acc_t>
void features_backward(const RoiTables<acc_t>& tab, const scalar_t* grad, int64_t K, int64_t C, int64_t H, int64_t W,
                       int64_t ph, int64_t pw, acc_t* grad_features) {
  at::parallel_for(0, C, 1, [&](int64_t begin, int64_t end) {
    std::vector<acc_t> V(W);
    for (int64_t c = begin; c < end; ++c) {
      for (int64_t k = 0; k < K; ++k) {
        const auto& g = tab.geom[k];
        if (g.inv_area == acc_t(0)) continue;
        const int64_t jb = tab.x_begin[k], je = tab.x_end[k];
        const scalar_t* G = grad + (k * C + c) * ph * pw;
        acc_t* gplane = grad_features + (g.batch * C + c) * H * W;
        for (int64_t p = 0; p < ph; ++p) {
          // V[j] = sum_q (dL/dout_pq / area) b_qj, then plane rows i += a_pi V
          std::fill(V.begin() + jb, V.begin() + je, acc_t(0));
          bool any = false;
          for (int64_t q = 0; q < pw; ++q) {
            const acc_t gq = static_cast<acc_t>(G[p * pw + q]) * g.inv_area;
            if (gq == acc_t(0)) continue;
            any = true;
            const int64_t kq = k * pw + q;
            const acc_t* b = &tab.xs.w[kq * W];
            acc_t* v = V.data() + tab.xs.first[kq];
            for (int64_t t = 0; t < tab.xs.count[kq]; ++t) v[t] += gq * b[t];
          }
          if (!any) continue;
          const int64_t kp = k * ph + p;
          const acc_t* a = &tab.ys.w[kp * H];
          for (int64_t t = 0; t < tab.ys.count[kp]; ++t) {
            const acc_t ai = a[t];
            acc_t* row = gplane + (tab.ys.first[kp] + t) * W;
            for (int64_t j = jb; j < je; ++j) row[j] += ai * V[j];
          }
        }
      }
    }
  });
}

// d out / d (x0, y0, x1, y1): window edges lo_q = X0 + q*bw, hi_q = lo_q + bw with bw = (X1 - X0) / pw, so
// d lo_q/dX0 = 1 - q/pw, d lo_q/dX1 = q/pw, d hi_q/dX0 = 1 - (q+1)/pw, d hi_q/dX1 = (q+1)/pw; the area term
// adds +-out * bh / pw. d integral / d lo = -(line integral at lo), d integral / d hi = +(line integral at hi).
template <typename scalar_t, typename acc_t>
void rois_backward(const RoiTables<acc_t>& tab, const scalar_t* grad, const scalar_t* F, const scalar_t* output,
                   int64_t K, int64_t C, int64_t H, int64_t W, int64_t ph, int64_t pw, double spatial_scale,
                   acc_t* grad_rois) {
  at::parallel_for(0, K, 1, [&](int64_t begin, int64_t end) {
    std::vector<acc_t> T(W);
    for (int64_t k = begin; k < end; ++k) {
      const auto& g = tab.geom[k];
      acc_t* gr = grad_rois + k * 5;
      if (g.inv_area == acc_t(0)) continue;
      const int64_t jb = tab.x_begin[k], je = tab.x_end[k];
      const int64_t je1 = std::min(W, je + 1);  // the right-edge tap may sit one sample past the span
      acc_t dx0 = 0, dx1 = 0, dy0 = 0, dy1 = 0, go = 0;
      for (int64_t c = 0; c < C; ++c) {
        const scalar_t* plane = F + (g.batch * C + c) * H * W;
        const scalar_t* G = grad + (k * C + c) * ph * pw;
        const scalar_t* O = output + (k * C + c) * ph * pw;
        for (int64_t p = 0; p < ph; ++p) {
          bool any = false;
          for (int64_t q = 0; q < pw; ++q) any |= G[p * pw + q] != scalar_t(0);
          if (!any) continue;
          contract_rows(tab.ys, k, p, plane, W, jb, je1, T.data());
          const int64_t kp = k * ph + p;
          const acc_t ylo = tab.ys.lo[kp], yhi = tab.ys.hi[kp];
          for (int64_t q = 0; q < pw; ++q) {
            const acc_t gpq = static_cast<acc_t>(G[p * pw + q]);
            if (gpq == acc_t(0)) continue;
            go += gpq * static_cast<acc_t>(O[p * pw + q]);
            const int64_t kq = k * pw + q;
            // x edges: line integrals along the vertical edges = interpolation of T
            const acc_t ix_lo = interp(T.data(), jb, je1, tab.xs.lo[kq]);
            const acc_t ix_hi = interp(T.data(), jb, je1, tab.xs.hi[kq]);
            const acc_t fq = acc_t(q) / acc_t(pw), fq1 = acc_t(q + 1) / acc_t(pw);
            dx0 += gpq * (-ix_lo * (acc_t(1) - fq) + ix_hi * (acc_t(1) - fq1));
            dx1 += gpq * (-ix_lo * fq + ix_hi * fq1);
            // y edges: line integrals along the horizontal edges, from the two rows next to each edge
            acc_t iy[2];
            const acc_t ye[2] = {ylo, yhi};
            for (int e = 0; e < 2; ++e) {
              const acc_t fl = std::floor(ye[e]);
              const int64_t i = static_cast<int64_t>(fl);
              const acc_t f = ye[e] - fl;
              acc_t s = 0;
              if (i >= 0 && i < H) s += (acc_t(1) - f) * dot_bin(tab.xs, k, q, plane + i * W);
              if (i + 1 >= 0 && i + 1 < H && f != acc_t(0)) s += f * dot_bin(tab.xs, k, q, plane + (i + 1) * W);
              iy[e] = s;
            }
            const acc_t fp = acc_t(p) / acc_t(ph), fp1 = acc_t(p + 1) / acc_t(ph);
            dy0 += gpq * (-iy[0] * (acc_t(1) - fp) + iy[1] * (acc_t(1) - fp1));
            dy1 += gpq * (-iy[0] * fp + iy[1] * fp1);
          }
        }
      }
      const acc_t s = acc_t(spatial_scale) * g.inv_area;
      const acc_t area_x = go * g.bin_h / acc_t(pw), area_y = go * g.bin_w / acc_t(ph);
      gr[1] = (dx0 + area_x) * s;
      gr[2] = (dy0 + area_y) * s;
      gr[3] = (dx1 - area_x) * s;
      gr[4] = (dy1 - area_y) * s;
    }
  });
}

std::tuple<at::Tensor, at::Tensor> prroi_pool2d_backward_cpu(const at::Tensor& grad_, const at::Tensor& features_,
                                                             const at::Tensor& rois_, const at::Tensor& output_,
                                                             int64_t ph, int64_t pw, double spatial_scale,
                                                             bool features_needs_grad, bool rois_needs_grad) {
  check_inputs(features_, rois_, ph, pw, c10::DeviceType::CPU);
  const auto features = features_.contiguous();
  const auto rois = rois_.contiguous();
  const int64_t C = features.size(1), H = features.size(2), W = features.size(3);
  const int64_t K = rois.size(0);
  const std::vector<int64_t> out_shape{K, C, ph, pw};
  TORCH_CHECK(grad_.sizes() == at::IntArrayRef(out_shape), "prroi_pool2d backward: grad must be ", out_shape,
              "; got ", grad_.sizes());
  const auto grad = grad_.to(features.scalar_type()).contiguous();
  const auto acc_opts = features.options().dtype(at::toOpMathType(features.scalar_type()));
  auto grad_features = at::zeros(features.sizes(), acc_opts);
  auto grad_rois = at::zeros(rois.sizes(), acc_opts);
  if (K > 0 && C > 0 && H > 0 && W > 0 && (features_needs_grad || rois_needs_grad)) {
    AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, features.scalar_type(), "prroi_pool2d_backward_cpu", [&] {
      using acc_t = at::opmath_type<scalar_t>;
      const RoiTables<acc_t> tab(rois.const_data_ptr<scalar_t>(), K, H, W, ph, pw, spatial_scale);
      if (features_needs_grad)
        features_backward<scalar_t, acc_t>(tab, grad.const_data_ptr<scalar_t>(), K, C, H, W, ph, pw,
                                           grad_features.mutable_data_ptr<acc_t>());
      if (rois_needs_grad) {
        TORCH_CHECK(output_.sizes() == at::IntArrayRef(out_shape), "prroi_pool2d backward: output must be ",
                    out_shape, "; got ", output_.sizes());
        const auto output = output_.to(features.scalar_type()).contiguous();
        rois_backward<scalar_t, acc_t>(tab, grad.const_data_ptr<scalar_t>(), features.const_data_ptr<scalar_t>(),
                                       output.const_data_ptr<scalar_t>(), K, C, H, W, ph, pw, spatial_scale,
                                       grad_rois.mutable_data_ptr<acc_t>());
      }
    });
  }
  return {grad_features.to(features.scalar_type()), grad_rois.to(features.scalar_type())};
}

}  // namespace

TORCH_LIBRARY_IMPL(ltr, CPU, m) {
  m.impl("prroi_pool2d", &prroi_pool2d_forward_cpu);
  m.impl("_prroi_pool2d_backward", &prroi_pool2d_backward_cpu);
}

}  // namespace ops
}  // namespace ltr
