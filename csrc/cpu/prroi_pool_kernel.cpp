// CPU kernels of Precise RoI Pooling (forward; backward for features and ROI coordinates).
//
// Separable evaluation (see prroi_pool.h): for each ROI the per-axis integral weights of every bin, a_pi for the
// rows and b_qj for the columns, are computed once (AxisTable: each bin's first sample, sample count and weights).
//
// Forward and ROI gradient run over channel blocks (kLanes channels held side by side, the SIMD lanes). Per ROI a
// channel-independent RoiPlan lists each needed integral as (pixel, weight) taps into the ROI's window of samples:
// forward, one per bin, weight a_pi b_qj; ROI gradient, one per bin edge line (see "ROI gradient" below), weight
// (bin sample weight) x (interpolation weight at the line). Consecutive ROIs of one image whose windows overlap
// enough share one window (RoiGroup). A work item (group, channel block) gathers the window from the feature map
// through its strides (NCHW, channels_last or any view: no contiguous copy) into a buffer with the lanes
// innermost; each tap is then one branch-free multiply-add over the lanes. Work per (ROI, channel) is the tap
// count, ~ph * pw * (samples per bin)^2 forward and ~4 * ph * pw * (samples per bin) for the ROI gradient.
// Feature gradient: per channel and bin row p, V[j] = sum_q (dL/dout_pq / area) b_qj, then feature row i
// += a_pi V[j] (one row buffer per thread).
// Parallel: forward and ROI gradient over (group, channel block) items; the ROI gradient sums each ROI's
// per-block partial sums in block order, so its result does not depend on the thread count. Feature gradient
// over channels (no two threads write the same plane). All three are deterministic. Input checks:
// ../prroi_pool_checks.cpp (shared with the CUDA kernels).
#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/Parallel.h>
#include <torch/library.h>

#include <algorithm>
#include <cstring>
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

// ---------------------------------------------------------------------------------------------------------
// Channel blocks, ROI plans and groups (forward and ROI gradient)

// kLanes values of T (one per channel of a block) in registers: 16-byte SIMD vectors (GCC/Clang vector extension:
// GCC vectorises neither the plain loops nor, without spilling, wider vector types); plain scalars elsewhere.
// Buffers hold plain T, kLanes per pixel; load / store copy (no type punning; one unaligned move per vector).
constexpr int64_t kLanes = 16;

template <typename T>
struct Lanes {
#if defined(__GNUC__)
  typedef T vec __attribute__((vector_size(16)));
#else
  typedef T vec;
#endif
  static constexpr int64_t kPer = sizeof(vec) / sizeof(T), kN = kLanes / kPer;
  vec v[kN];

  // vector n of the kLanes values at p
  static vec load(const T* p, int64_t n) {
    vec x;
    std::memcpy(&x, p + n * kPer, sizeof x);
    return x;
  }
  void store(T* p) const { std::memcpy(p, v, sizeof v); }
  T sum() const {  // over the lanes, in order
    T lanes[kLanes], s = 0;
    store(lanes);
    for (int64_t l = 0; l < kLanes; ++l) s += lanes[l];
    return s;
  }
  // += w * (the kLanes values at x)
  void fma(T w, const T* x) {
    for (int64_t n = 0; n < kN; ++n) v[n] += w * load(x, n);
  }
};

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

// One integral: taps [previous segment's end, end) of its RoiPlan. Forward: bin `slot` = p * pw + q. ROI
// gradient: an edge line integral of one bin, weighted per channel by gpad[g_plus] - gpad[g_minus] and summed
// into accumulator `slot` (see rois_backward).
struct Segment {
  int64_t end, slot, g_plus, g_minus;
};

// Channel-independent part of one ROI. The constructor finds the taps of the bins' edge lines x_e (bin e's left
// edge, the last bin's right edge for e = pw; y_e likewise) and the window of samples the ROI reads: rows
// [r0, r1), columns [c0, c1), empty when the ROI has no area or misses the map. build_bins / build_edges then
// list the integrals as taps, pixel = index in the window of width nx at (wr0, wc0) (its group's window).
template <typename acc_t>
struct RoiPlan {
  int64_t r0 = 0, r1 = 0, c0 = 0, c1 = 0;
  std::vector<int64_t> xi, yi;  // line taps: sample index and weight, 2 slots per line, xn / yn used
  std::vector<acc_t> xw, yw;
  std::vector<int> xn, yn;
  std::vector<int64_t> pixel;
  std::vector<acc_t> w;
  std::vector<Segment> seg;

  RoiPlan() = default;
  RoiPlan(const RoiTables<acc_t>& tab, int64_t k)
      : xi(2 * (tab.xs.nb + 1)), yi(2 * (tab.ys.nb + 1)), xw(xi.size()), yw(yi.size()), xn(tab.xs.nb + 1),
        yn(tab.ys.nb + 1) {
    const auto& ys = tab.ys;
    const auto& xs = tab.xs;
    const int64_t ph = ys.nb, pw = xs.nb;
    if (tab.geom[k].inv_area == acc_t(0)) return;
    for (int64_t e = 0; e <= pw; ++e)
      xn[e] = line_taps(e < pw ? xs.lo[k * pw + e] : xs.hi[k * pw + pw - 1], xs.size, &xi[2 * e], &xw[2 * e]);
    for (int64_t e = 0; e <= ph; ++e)
      yn[e] = line_taps(e < ph ? ys.lo[k * ph + e] : ys.hi[k * ph + ph - 1], ys.size, &yi[2 * e], &yw[2 * e]);
    // window: all bins' samples and all line taps (the taps lie among the bins' samples; included for safety)
    int64_t rb = ys.size, re = 0, cb = xs.size, ce = 0;
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

  // Forward: bin (p, q) = sum_ij a_pi b_qj F[i, j].
  void build_bins(const RoiTables<acc_t>& tab, int64_t k, int64_t wr0, int64_t wc0, int64_t nx) {
    if (empty()) return;
    const auto& ys = tab.ys;
    const auto& xs = tab.xs;
    const int64_t ph = ys.nb, pw = xs.nb;
    for (int64_t p = 0; p < ph; ++p) {
      const int64_t kp = k * ph + p;
      for (int64_t q = 0; q < pw; ++q) {
        const int64_t kq = k * pw + q;
        for (int64_t ti = 0; ti < ys.count[kp]; ++ti)
          for (int64_t tj = 0; tj < xs.count[kq]; ++tj)
            tap(ys.first[kp] + ti, xs.first[kq] + tj, ys.w[kp * ys.size + ti] * xs.w[kq * xs.size + tj], wr0, wc0, nx);
        close(p * pw + q, 0, 0);
      }
    }
  }

  // ROI gradient: the vertical line e of bin row p (slot e, weight g_p,e-1 - g_p,e), then the horizontal line e
  // of bin column q (slot pw + 1 + e, weight g_e-1,q - g_e,q); g_pq sits at gpad index (p + 1) * (pw + 2) + q + 1.
  void build_edges(const RoiTables<acc_t>& tab, int64_t k, int64_t wr0, int64_t wc0, int64_t nx) {
    if (empty()) return;
    const auto& ys = tab.ys;
    const auto& xs = tab.xs;
    const int64_t ph = ys.nb, pw = xs.nb, gw = pw + 2;
    for (int64_t p = 0; p < ph; ++p) {
      const int64_t kp = k * ph + p;
      for (int64_t e = 0; e <= pw; ++e) {
        for (int64_t t = 0; t < ys.count[kp]; ++t)
          for (int u = 0; u < xn[e]; ++u)
            tap(ys.first[kp] + t, xi[2 * e + u], ys.w[kp * ys.size + t] * xw[2 * e + u], wr0, wc0, nx);
        close(e, (p + 1) * gw + e, (p + 1) * gw + e + 1);
      }
    }
    for (int64_t e = 0; e <= ph; ++e) {
      for (int64_t q = 0; q < pw; ++q) {
        const int64_t kq = k * pw + q;
        for (int u = 0; u < yn[e]; ++u)
          for (int64_t t = 0; t < xs.count[kq]; ++t)
            tap(yi[2 * e + u], xs.first[kq] + t, yw[2 * e + u] * xs.w[kq * xs.size + t], wr0, wc0, nx);
        close(pw + 1 + e, e * gw + q + 1, (e + 1) * gw + q + 1);
      }
    }
  }

 private:
  void tap(int64_t i, int64_t j, acc_t weight, int64_t wr0, int64_t wc0, int64_t nx) {
    if (weight == acc_t(0)) return;
    pixel.push_back((i - wr0) * nx + (j - wc0));
    w.push_back(weight);
  }
  void close(int64_t slot, int64_t g_plus, int64_t g_minus) {  // a segment of the taps since the last one, if any
    const int64_t end = static_cast<int64_t>(w.size());
    if (end > (seg.empty() ? 0 : seg.back().end)) seg.push_back({end, slot, g_plus, g_minus});
  }
};

// ROIs [begin, end) of one image whose windows are read as one: rows [r0, r0 + ny), columns [c0, c0 + nx).
struct RoiGroup {
  int64_t begin, end, r0, c0, ny, nx;
};

// Plans and groups of all ROIs: consecutive ROIs of the same image form a group (at most kMaxGroup) while
// gathering the union of their windows costs no more than gathering each window (ATOM's proposals overlap).
constexpr int64_t kMaxGroup = 16;

template <typename acc_t>
struct BlockPlan {
  std::vector<RoiPlan<acc_t>> plans;
  std::vector<RoiGroup> groups;
  int64_t max_window = 0;

  BlockPlan(const RoiTables<acc_t>& tab, bool edges) : plans(tab.geom.size()) {
    const int64_t K = static_cast<int64_t>(plans.size());
    at::parallel_for(0, K, 16, [&](int64_t begin, int64_t end) {
      for (int64_t k = begin; k < end; ++k) plans[k] = RoiPlan<acc_t>(tab, k);
    });
    for (int64_t k = 0; k < K;) {
      const auto& first = plans[k];
      int64_t r0 = first.r0, r1 = first.r1, c0 = first.c0, c1 = first.c1, sum = first.area(), end = k + 1;
      for (; !first.empty() && end < K && end - k < kMaxGroup && tab.geom[end].batch == tab.geom[k].batch; ++end) {
        const auto& pl = plans[end];
        if (pl.empty()) break;
        const int64_t nr0 = std::min(r0, pl.r0), nr1 = std::max(r1, pl.r1);
        const int64_t nc0 = std::min(c0, pl.c0), nc1 = std::max(c1, pl.c1);
        if ((nr1 - nr0) * (nc1 - nc0) > sum + pl.area()) break;
        r0 = nr0, r1 = nr1, c0 = nc0, c1 = nc1, sum += pl.area();
      }
      groups.push_back({k, end, r0, c0, r1 - r0, c1 - c0});
      max_window = std::max(max_window, (r1 - r0) * (c1 - c0));
      k = end;
    }
    at::parallel_for(0, static_cast<int64_t>(groups.size()), 4, [&](int64_t begin, int64_t end) {
      for (int64_t gi = begin; gi < end; ++gi) {
        const auto& gr = groups[gi];
        for (int64_t k = gr.begin; k < gr.end; ++k) {
          if (edges)
            plans[k].build_edges(tab, k, gr.r0, gr.c0, gr.nx);
          else
            plans[k].build_bins(tab, k, gr.r0, gr.c0, gr.nx);
        }
      }
    });
  }
};

// buf[(ii * nx + jj) * kLanes + l] = F[batch, c_begin + l, r0 + ii, c0 + jj] over the group's window, l < nc;
// the other lanes 0.
template <typename scalar_t, typename acc_t>
void gather_block(const at::Tensor& features, int64_t batch, const RoiGroup& gr, int64_t c_begin, int64_t nc,
                  acc_t* buf) {
  const int64_t sC = features.stride(1), sH = features.stride(2), sW = features.stride(3);
  const scalar_t* base = features.const_data_ptr<scalar_t>() + batch * features.stride(0) + c_begin * sC +
                         gr.r0 * sH + gr.c0 * sW;
  if (nc < kLanes) std::fill(buf, buf + gr.ny * gr.nx * kLanes, acc_t(0));
  if (sC == 1) {  // channels_last: the lanes are contiguous
    for (int64_t ii = 0; ii < gr.ny; ++ii)
      for (int64_t jj = 0; jj < gr.nx; ++jj) {
        const scalar_t* src = base + ii * sH + jj * sW;
        acc_t* dst = buf + (ii * gr.nx + jj) * kLanes;
        for (int64_t l = 0; l < nc; ++l) dst[l] = static_cast<acc_t>(src[l]);
      }
  } else {
    for (int64_t l = 0; l < nc; ++l)
      for (int64_t ii = 0; ii < gr.ny; ++ii) {
        const scalar_t* src = base + l * sC + ii * sH;
        acc_t* dst = buf + ii * gr.nx * kLanes + l;
        for (int64_t jj = 0; jj < gr.nx; ++jj) dst[jj * kLanes] = static_cast<acc_t>(src[jj * sW]);
      }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Forward: per item (group, channel block), output bin (p, q) of each ROI = (its taps' sum) / area.
at::Tensor prroi_pool2d_forward_cpu(const at::Tensor& features, const at::Tensor& rois_, int64_t ph, int64_t pw,
                                    double spatial_scale) {
  check_inputs(features, rois_, ph, pw, c10::DeviceType::CPU);
  const auto rois = rois_.contiguous();
  const int64_t C = features.size(1), H = features.size(2), W = features.size(3);
  const int64_t K = rois.size(0);
  auto output = at::empty({K, C, ph, pw}, features.options());
  if (output.numel() == 0) return output;
  if (H == 0 || W == 0) return output.zero_();

  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, features.scalar_type(), "prroi_pool2d_forward_cpu", [&] {
    using acc_t = at::opmath_type<scalar_t>;
    using V = Lanes<acc_t>;
    const RoiTables<acc_t> tab(rois.const_data_ptr<scalar_t>(), K, H, W, ph, pw, spatial_scale);
    const BlockPlan<acc_t> bp(tab, /*edges=*/false);
    const int64_t nbins = ph * pw, nblocks = (C + kLanes - 1) / kLanes;
    scalar_t* out = output.mutable_data_ptr<scalar_t>();
    at::parallel_for(0, static_cast<int64_t>(bp.groups.size()) * nblocks, 1, [&](int64_t begin, int64_t end) {
      std::vector<acc_t> buf(bp.max_window * kLanes);
      for (int64_t item = begin; item < end; ++item) {
        const RoiGroup& gr = bp.groups[item / nblocks];
        const int64_t c_begin = (item % nblocks) * kLanes, nc = std::min(kLanes, C - c_begin);
        if (gr.ny > 0) gather_block<scalar_t, acc_t>(features, tab.geom[gr.begin].batch, gr, c_begin, nc, buf.data());
        for (int64_t k = gr.begin; k < gr.end; ++k) {
          scalar_t* o = out + (k * C + c_begin) * nbins;
          std::fill(o, o + nc * nbins, scalar_t(0));  // bins without taps
          const RoiPlan<acc_t>& pl = bp.plans[k];
          const acc_t inv_area = tab.geom[k].inv_area;
          int64_t t = 0;
          for (const Segment& s : pl.seg) {
            V v{};
            for (; t < s.end; ++t) v.fma(pl.w[t], &buf[pl.pixel[t] * kLanes]);
            acc_t r[kLanes];
            v.store(r);
            for (int64_t l = 0; l < nc; ++l) o[l * nbins + s.slot] = static_cast<scalar_t>(r[l] * inv_area);
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
//
// Per item (group, channel block), per ROI: the bins' g go to gpad ([(ph+2) x (pw+2), zero border][lane]), each
// segment's line integral v is accumulated lane-wise as acc[slot] += (gpad[g_plus] - gpad[g_minus]) * v, and
// the (ROI, block)'s partial sums (dX0, dX1, dY0, dY1 before the area term and scaling, and sum g * out) are
// stored; they are summed per ROI over the blocks in order, so the result does not depend on the thread count.
template <typename scalar_t, typename acc_t>
void rois_backward(const RoiTables<acc_t>& tab, const scalar_t* grad, const at::Tensor& features,
                   const scalar_t* output, int64_t K, int64_t ph, int64_t pw, double spatial_scale, acc_t* grad_rois) {
  using V = Lanes<acc_t>;
  const int64_t C = features.size(1);
  const int64_t nbins = ph * pw, nblocks = (C + kLanes - 1) / kLanes, nslots = ph + pw + 2;
  const BlockPlan<acc_t> bp(tab, /*edges=*/true);
  std::vector<acc_t> partial(K * nblocks * 5, acc_t(0));
  at::parallel_for(0, static_cast<int64_t>(bp.groups.size()) * nblocks, 1, [&](int64_t begin, int64_t end) {
    std::vector<acc_t> buf(bp.max_window * kLanes), gpad((ph + 2) * (pw + 2) * kLanes);  // gpad's border stays 0
    std::vector<V> acc(nslots);
    for (int64_t item = begin; item < end; ++item) {
      const RoiGroup& gr = bp.groups[item / nblocks];
      const int64_t block = item % nblocks, c_begin = block * kLanes, nc = std::min(kLanes, C - c_begin);
      // area term: sum of g * out over the block's channels and bins
      for (int64_t k = gr.begin; k < gr.end; ++k) {
        const scalar_t* Gk = grad + (k * C + c_begin) * nbins;
        const scalar_t* Ok = output + (k * C + c_begin) * nbins;
        const int64_t n_all = nc * nbins;
        V go{};
        int64_t n = 0;
        for (; n + kLanes <= n_all; n += kLanes) {
          acc_t a[kLanes], b[kLanes];
          for (int64_t l = 0; l < kLanes; ++l) {
            a[l] = static_cast<acc_t>(Gk[n + l]);
            b[l] = static_cast<acc_t>(Ok[n + l]);
          }
          for (int64_t m = 0; m < V::kN; ++m) go.v[m] += V::load(a, m) * V::load(b, m);
        }
        acc_t tail = 0;
        for (; n < n_all; ++n) tail += static_cast<acc_t>(Gk[n]) * static_cast<acc_t>(Ok[n]);
        partial[(k * nblocks + block) * 5 + 4] = go.sum() + tail;
      }
      if (gr.ny == 0) continue;
      gather_block<scalar_t, acc_t>(features, tab.geom[gr.begin].batch, gr, c_begin, nc, buf.data());
      for (int64_t k = gr.begin; k < gr.end; ++k) {
        const RoiPlan<acc_t>& pl = bp.plans[k];
        if (pl.seg.empty()) continue;
        const scalar_t* Gk = grad + (k * C + c_begin) * nbins;
        if (nc < kLanes) std::fill(gpad.begin(), gpad.end(), acc_t(0));  // lanes past C
        for (int64_t p = 0; p < ph; ++p)
          for (int64_t q = 0; q < pw; ++q) {
            acc_t* dst = &gpad[((p + 1) * (pw + 2) + q + 1) * kLanes];
            const scalar_t* src = Gk + p * pw + q;
            for (int64_t l = 0; l < nc; ++l) dst[l] = static_cast<acc_t>(src[l * nbins]);
          }
        std::fill(acc.begin(), acc.end(), V{});
        int64_t t = 0;
        for (const Segment& s : pl.seg) {
          V v{};
          for (; t < s.end; ++t) v.fma(pl.w[t], &buf[pl.pixel[t] * kLanes]);
          const acc_t* gp = &gpad[s.g_plus * kLanes];
          const acc_t* gm = &gpad[s.g_minus * kLanes];
          V& a = acc[s.slot];
          for (int64_t n = 0; n < V::kN; ++n) a.v[n] += (V::load(gp, n) - V::load(gm, n)) * v.v[n];
        }
        // lanes summed in order, then the edges' d lo / d X0 factors
        acc_t* part = &partial[(k * nblocks + block) * 5];
        for (int64_t slot = 0; slot < nslots; ++slot) {
          const acc_t sum = acc[slot].sum();
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
      acc_t d[5] = {};
      for (int64_t b = 0; b < nblocks; ++b)
        for (int m = 0; m < 5; ++m) d[m] += partial[(k * nblocks + b) * 5 + m];
      const acc_t go = d[4], s = acc_t(spatial_scale) * g.inv_area;
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
        rois_backward<scalar_t, acc_t>(tab, grad.const_data_ptr<scalar_t>(), features,
                                       output.const_data_ptr<scalar_t>(), K, ph, pw, spatial_scale,
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
