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

// ---------------------------------------------------------------------------------------------------------
// ROI gradient. d out / d (x0, y0, x1, y1): window edges lo_q = X0 + q*bw, hi_q = lo_q + bw with
// bw = (X1 - X0) / pw, so d lo_q/dX0 = 1 - q/pw, d lo_q/dX1 = q/pw, d hi_q/dX0 = 1 - (q+1)/pw,
// d hi_q/dX1 = (q+1)/pw; the area term adds +-out * bh / pw. d integral / d lo = -(line integral at lo),
// d integral / d hi = +(line integral at hi). Bin q's right edge is bin q+1's left edge, so a bin row has pw + 1
// distinct vertical edge lines x_e (e = 0..pw), and line e of bin row p enters with the channel's weight
// D_pe = g_p,e-1 - g_p,e (g = dL/dout, 0 outside the bins): dX0 += (1 - e/pw) D_pe I_pe, dX1 += (e/pw) D_pe I_pe
// with the line integral I_pe = sum_i a_pi interp_x(F[i, :], x_e). The horizontal lines y_e (e = 0..ph) of bin
// column q likewise, with I_eq = sum_j b_qj interp_y(F[:, j], y_e).

// The (at most two) samples next to the line at coordinate x on an axis of `size` samples, and their
// interpolation weights; taps outside the axis or with weight 0 are left out. Returns the tap count.
template <typename acc_t>
inline int line_taps(acc_t x, int64_t size, int64_t idx[2], acc_t wt[2]) {
  const acc_t fl = std::floor(x);
  const int64_t i = static_cast<int64_t>(fl);
  const acc_t f = x - fl;
  int n = 0;
  if (i >= 0 && i < size) idx[n] = i, wt[n++] = acc_t(1) - f;
  if (i + 1 >= 0 && i + 1 < size && f != acc_t(0)) idx[n] = i + 1, wt[n++] = f;
  return n;
}

// One edge line integral of one bin: taps [previous segment's end, end) of its EdgePlan. Per channel it is
// weighted by gpad[g_plus] - gpad[g_minus] (D above) and summed into accumulator `slot` (e for the vertical
// line x_e, pw + 1 + e for the horizontal line y_e).
struct EdgeSegment {
  int64_t end, slot, g_plus, g_minus;
};

// Channel-independent part of one ROI's gradient. The constructor finds the edge lines' taps and the window of
// samples the ROI reads (rows [r0, r1), columns [c0, c1); empty when the ROI misses the map or has no area);
// build() then lists every edge line integral of every bin as (pixel, weight) taps, pixel = index in a window
// (the ROI group's, see rois_backward) of width nx at (wr0, wc0), weight = bin sample weight x interpolation weight.
template <typename acc_t>
struct EdgePlan {
  int64_t r0 = 0, r1 = 0, c0 = 0, c1 = 0;
  std::vector<int64_t> xi, yi, pixel;  // line taps: sample index (xi, yi) and weight (xw, yw), 2 slots per line
  std::vector<acc_t> xw, yw, w;
  std::vector<int> xn, yn;
  std::vector<EdgeSegment> seg;

  EdgePlan() = default;
  EdgePlan(const RoiTables<acc_t>& tab, int64_t k, int64_t H, int64_t W)
      : xi(2 * (tab.xs.nb + 1)), yi(2 * (tab.ys.nb + 1)), xw(xi.size()), yw(yi.size()), xn(tab.xs.nb + 1),
        yn(tab.ys.nb + 1) {
    const auto& ys = tab.ys;
    const auto& xs = tab.xs;
    const int64_t ph = ys.nb, pw = xs.nb;
    if (tab.geom[k].inv_area == acc_t(0)) return;
    // x_e = bin e's left edge, the last bin's right edge for e = pw (y_e likewise)
    for (int64_t e = 0; e <= pw; ++e)
      xn[e] = line_taps(e < pw ? xs.lo[k * pw + e] : xs.hi[k * pw + pw - 1], W, &xi[2 * e], &xw[2 * e]);
    for (int64_t e = 0; e <= ph; ++e)
      yn[e] = line_taps(e < ph ? ys.lo[k * ph + e] : ys.hi[k * ph + ph - 1], H, &yi[2 * e], &yw[2 * e]);
    // window: all bins' samples and all line taps (the taps lie among the bins' samples; included for safety)
    int64_t rb = H, re = 0, cb = W, ce = 0;
    auto grow = [](int64_t* b, int64_t* e, int64_t first, int64_t count) {
      if (count <= 0) return;
      *b = std::min(*b, first);
      *e = std::max(*e, first + count);
    };
    for (int64_t p = 0; p < ph; ++p) grow(&rb, &re, ys.first[k * ph + p], ys.count[k * ph + p]);
    for (int64_t q = 0; q < pw; ++q) grow(&cb, &ce, xs.first[k * pw + q], xs.count[k * pw + q]);
    for (int64_t e = 0; e <= pw; ++e)
      for (int u = 0; u < xn[e]; ++u) grow(&cb, &ce, xi[2 * e + u], 1);
    for (int64_t e = 0; e <= ph; ++e)
      for (int u = 0; u < yn[e]; ++u) grow(&rb, &re, yi[2 * e + u], 1);
    if (re > rb && ce > cb) r0 = rb, r1 = re, c0 = cb, c1 = ce;
  }

  bool empty() const { return r1 <= r0; }
  int64_t area() const { return (r1 - r0) * (c1 - c0); }

  void build(const RoiTables<acc_t>& tab, int64_t k, int64_t wr0, int64_t wc0, int64_t nx) {
    if (empty()) return;
    const auto& ys = tab.ys;
    const auto& xs = tab.xs;
    const int64_t ph = ys.nb, pw = xs.nb, gw = pw + 2, H = ys.size, W = xs.size;
    auto tap = [&](int64_t i, int64_t j, acc_t weight) {
      if (weight == acc_t(0)) return;
      pixel.push_back((i - wr0) * nx + (j - wc0));
      w.push_back(weight);
    };
    auto close = [&](int64_t slot, int64_t g_plus, int64_t g_minus) {
      const int64_t end = static_cast<int64_t>(w.size());
      if (end > (seg.empty() ? 0 : seg.back().end)) seg.push_back({end, slot, g_plus, g_minus});
    };
    // vertical line e of bin row p; g_pq sits at gpad index (p + 1) * gw + q + 1
    for (int64_t p = 0; p < ph; ++p) {
      const int64_t kp = k * ph + p;
      for (int64_t e = 0; e <= pw; ++e) {
        for (int64_t t = 0; t < ys.count[kp]; ++t)
          for (int u = 0; u < xn[e]; ++u) tap(ys.first[kp] + t, xi[2 * e + u], ys.w[kp * H + t] * xw[2 * e + u]);
        close(e, (p + 1) * gw + e, (p + 1) * gw + e + 1);
      }
    }
    // horizontal line e of bin column q
    for (int64_t e = 0; e <= ph; ++e) {
      for (int64_t q = 0; q < pw; ++q) {
        const int64_t kq = k * pw + q;
        for (int u = 0; u < yn[e]; ++u)
          for (int64_t t = 0; t < xs.count[kq]; ++t) tap(yi[2 * e + u], xs.first[kq] + t, yw[2 * e + u] * xs.w[kq * W + t]);
        close(pw + 1 + e, e * gw + q + 1, (e + 1) * gw + q + 1);
      }
    }
  }
};

// kLanes values of T (one per channel) as 16-byte SIMD vectors (GCC/Clang vector extension; GCC does not
// vectorise the plain loops, and keeps wider vector types on the stack); plain scalars with other compilers.
constexpr int64_t kLanes = 16;

template <typename T>
struct Lanes {
#if defined(__GNUC__)
  typedef T vec __attribute__((vector_size(16)));
  static constexpr int64_t kPer = 16 / sizeof(T);
#else
  typedef T vec;
  static constexpr int64_t kPer = 1;
#endif
  static constexpr int64_t kN = kLanes / kPer;
  vec v[kN];

  T& operator[](int64_t l) { return reinterpret_cast<T*>(v)[l]; }  // vector types may alias their elements
  T operator[](int64_t l) const { return reinterpret_cast<const T*>(v)[l]; }
};

// ROIs [begin, end) of one image whose windows are read as one (rows [r0, r0 + ny), columns [c0, c0 + nx)).
struct RoiGroup {
  int64_t begin, end, r0, c0, ny, nx;
};

// Consecutive ROIs of the same image go into one group (at most kMaxGroup) while gathering the union of their
// windows costs no more than gathering each window (ATOM's proposals overlap heavily).
constexpr int64_t kMaxGroup = 16;

template <typename acc_t>
std::vector<RoiGroup> group_rois(const RoiTables<acc_t>& tab, const std::vector<EdgePlan<acc_t>>& plans) {
  std::vector<RoiGroup> groups;
  const int64_t K = static_cast<int64_t>(plans.size());
  int64_t k = 0;
  while (k < K) {
    if (plans[k].empty()) {  // nothing to read: a group of its own, empty window
      groups.push_back({k, k + 1, 0, 0, 0, 0});
      ++k;
      continue;
    }
    int64_t r0 = plans[k].r0, r1 = plans[k].r1, c0 = plans[k].c0, c1 = plans[k].c1, sum = plans[k].area();
    int64_t end = k + 1;
    for (; end < K && end - k < kMaxGroup && tab.geom[end].batch == tab.geom[k].batch; ++end) {
      const auto& pl = plans[end];
      if (pl.empty()) break;
      const int64_t nr0 = std::min(r0, pl.r0), nr1 = std::max(r1, pl.r1);
      const int64_t nc0 = std::min(c0, pl.c0), nc1 = std::max(c1, pl.c1);
      if ((nr1 - nr0) * (nc1 - nc0) > sum + pl.area()) break;
      r0 = nr0, r1 = nr1, c0 = nc0, c1 = nc1, sum += pl.area();
    }
    groups.push_back({k, end, r0, c0, r1 - r0, c1 - c0});
    k = end;
  }
  return groups;
}

// Work item = (ROI group, block of kLanes channels). It gathers the group's window of the feature map with the
// channels innermost (buf[pixel][lane], from any strides: NCHW, channels_last, views; no contiguous copy),
// then per ROI the bins' dL/dout (gpad[(ph+2) x (pw+2), zero border][lane]), and every tap is one multiply-add
// over the lanes, without branches. The partial sums (dX0, dX1, dY0, dY1 before the area term and scaling) of
// each (ROI, block) are summed per ROI over the blocks in order: the result does not depend on the thread count.
template <typename scalar_t, typename acc_t>
void rois_backward(const RoiTables<acc_t>& tab, const scalar_t* grad, const at::Tensor& features,
                   const scalar_t* output, int64_t K, int64_t ph, int64_t pw, double spatial_scale, acc_t* grad_rois) {
  using V = Lanes<acc_t>;
  const int64_t C = features.size(1), H = features.size(2), W = features.size(3);
  const int64_t sN = features.stride(0), sC = features.stride(1), sH = features.stride(2), sW = features.stride(3);
  const scalar_t* F = features.const_data_ptr<scalar_t>();
  const int64_t nbins = ph * pw, nblocks = (C + kLanes - 1) / kLanes, nslots = ph + pw + 2;

  std::vector<EdgePlan<acc_t>> plans(K);
  at::parallel_for(0, K, 16, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) plans[k] = EdgePlan<acc_t>(tab, k, H, W);
  });
  const std::vector<RoiGroup> groups = group_rois(tab, plans);
  const int64_t G = static_cast<int64_t>(groups.size());
  int64_t max_window = 0;
  for (const auto& gr : groups) max_window = std::max(max_window, gr.ny * gr.nx);
  at::parallel_for(0, G, 4, [&](int64_t begin, int64_t end) {
    for (int64_t gi = begin; gi < end; ++gi) {
      const auto& gr = groups[gi];
      for (int64_t k = gr.begin; k < gr.end; ++k) plans[k].build(tab, k, gr.r0, gr.c0, gr.nx);
    }
  });

  std::vector<acc_t> partial(K * nblocks * 4, acc_t(0));
  at::parallel_for(0, G * nblocks, 1, [&](int64_t begin, int64_t end) {
    std::vector<V> buf(max_window), gpad((ph + 2) * (pw + 2)), acc(nslots);
    for (int64_t item = begin; item < end; ++item) {
      const RoiGroup& gr = groups[item / nblocks];
      if (gr.ny == 0) continue;
      const int64_t block = item % nblocks, c_begin = block * kLanes, nc = std::min(kLanes, C - c_begin);

      // gather: buf[ii * nx + jj][l] = F[b, c_begin + l, r0 + ii, c0 + jj]; lanes past C stay 0
      const scalar_t* base = F + tab.geom[gr.begin].batch * sN + c_begin * sC + gr.r0 * sH + gr.c0 * sW;
      if (nc < kLanes) std::fill(buf.begin(), buf.begin() + gr.ny * gr.nx, V{});
      if (sC == 1) {  // channels_last: the lanes are contiguous
        for (int64_t ii = 0; ii < gr.ny; ++ii)
          for (int64_t jj = 0; jj < gr.nx; ++jj) {
            const scalar_t* src = base + ii * sH + jj * sW;
            V& dst = buf[ii * gr.nx + jj];
            for (int64_t l = 0; l < nc; ++l) dst[l] = static_cast<acc_t>(src[l]);
          }
      } else {
        for (int64_t l = 0; l < nc; ++l)
          for (int64_t ii = 0; ii < gr.ny; ++ii) {
            const scalar_t* src = base + l * sC + ii * sH;
            V* dst = &buf[ii * gr.nx];
            for (int64_t jj = 0; jj < gr.nx; ++jj) dst[jj][l] = static_cast<acc_t>(src[jj * sW]);
          }
      }

      for (int64_t k = gr.begin; k < gr.end; ++k) {
        const auto& pl = plans[k];
        if (pl.seg.empty()) continue;
        const scalar_t* Gk = grad + (k * C + c_begin) * nbins;
        std::fill(gpad.begin(), gpad.end(), V{});
        for (int64_t l = 0; l < nc; ++l)
          for (int64_t p = 0; p < ph; ++p)
            for (int64_t q = 0; q < pw; ++q) gpad[(p + 1) * (pw + 2) + q + 1][l] = static_cast<acc_t>(Gk[l * nbins + p * pw + q]);

        // acc[slot] += D * (line integral), lane-wise, over the segments
        std::fill(acc.begin(), acc.end(), V{});
        const int64_t* pixel = pl.pixel.data();
        const acc_t* w = pl.w.data();
        int64_t t = 0;
        for (const EdgeSegment& s : pl.seg) {
          V v{};
          for (; t < s.end; ++t) {
            const acc_t wt = w[t];
            const V& px = buf[pixel[t]];
            for (int64_t n = 0; n < V::kN; ++n) v.v[n] += wt * px.v[n];
          }
          const V& gp = gpad[s.g_plus];
          const V& gm = gpad[s.g_minus];
          V& a = acc[s.slot];
          for (int64_t n = 0; n < V::kN; ++n) a.v[n] += (gp.v[n] - gm.v[n]) * v.v[n];
        }
        // lanes summed in order, then the edges' d lo / d X0 factors
        acc_t* part = &partial[(k * nblocks + block) * 4];
        for (int64_t slot = 0; slot < nslots; ++slot) {
          acc_t sum = 0;
          for (int64_t l = 0; l < kLanes; ++l) sum += acc[slot][l];
          const bool vertical = slot <= pw;
          const acc_t f = vertical ? acc_t(slot) / acc_t(pw) : acc_t(slot - pw - 1) / acc_t(ph);
          part[vertical ? 0 : 2] += (acc_t(1) - f) * sum;
          part[vertical ? 1 : 3] += f * sum;
        }
      }
    }
  });

  at::parallel_for(0, K, 16, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      const auto& g = tab.geom[k];
      if (g.inv_area == acc_t(0)) continue;
      acc_t d[4] = {};
      for (int64_t b = 0; b < nblocks; ++b)
        for (int m = 0; m < 4; ++m) d[m] += partial[(k * nblocks + b) * 4 + m];
      // area term: sum over channels and bins of g * out
      const scalar_t* Gk = grad + k * C * nbins;
      const scalar_t* Ok = output + k * C * nbins;
      acc_t go = 0;
      for (int64_t n = 0; n < C * nbins; ++n) go += static_cast<acc_t>(Gk[n]) * static_cast<acc_t>(Ok[n]);
      const acc_t s = acc_t(spatial_scale) * g.inv_area;
      const acc_t area_x = go * g.bin_h / acc_t(pw), area_y = go * g.bin_w / acc_t(ph);
      acc_t* gr = grad_rois + k * 5;
      gr[1] = (d[0] + area_x) * s;
      gr[2] = (d[2] + area_y) * s;
      gr[3] = (d[1] - area_x) * s;
      gr[4] = (d[3] - area_y) * s;
    }
  });
}

std::tuple<at::Tensor, at::Tensor> prroi_pool2d_backward_cpu(const at::Tensor& grad_, const at::Tensor& features_,
                                                             const at::Tensor& rois_, const at::Tensor& output_,
                                                             int64_t ph, int64_t pw, double spatial_scale,
                                                             bool features_needs_grad, bool rois_needs_grad) {
  check_inputs(features_, rois_, ph, pw, c10::DeviceType::CPU);
  const auto& features = features_;  // read through its strides (ROI gradient) or not at all (feature gradient)
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
        rois_backward<scalar_t, acc_t>(tab, grad.const_data_ptr<scalar_t>(), features, output.const_data_ptr<scalar_t>(),
                                       K, ph, pw, spatial_scale, grad_rois.mutable_data_ptr<acc_t>());
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
