// Precise RoI Pooling: shared declarations and the closed-form maths used by the CPU and CUDA kernels.
//
// Output of bin (p, q) of ROI k, channel c: (1 / area) * sum_ij a_pi b_qj F[b_k, c, i, j], the exact integral
// of the bilinear interpolant of F over the bin window. With the hat h(t) = max(0, 1 - |t|) and its
// antiderivative H, a_pi = H(hi_p - i) - H(lo_p - i) for the window [lo_p, hi_p] (b_qj likewise in x).
// d a_pi / d hi_p = h(hi_p - i): an edge moves the integral by the interpolant's line integral along that edge,
// which needs only the two samples next to the edge ("taps").
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/macros/Macros.h>
#include <cmath>

namespace ltr {
namespace ops {

// Input checks shared by the CPU and CUDA kernels (prroi_pool_checks.cpp): shapes, dtypes, the device (of type
// `device_type`, the same for both tensors), the pooled size and, unless `validate_batch_indices` is false, the
// batch indices (whole numbers in [0, B); on CUDA a device->host copy of the index column, see there).
void check_inputs(const at::Tensor& features, const at::Tensor& rois, int64_t ph, int64_t pw,
                  c10::DeviceType device_type, bool validate_batch_indices = true);
void check_batch_indices(const at::Tensor& rois, int64_t batch_size);

// H(t) = integral_{-inf}^{t} max(0, 1 - |s|) ds
template <typename T>
C10_HOST_DEVICE inline T hat_antiderivative(T t) {
  if (t <= T(-1)) return T(0);
  if (t >= T(1)) return T(1);
  return t < T(0) ? T(0.5) * (t + T(1)) * (t + T(1)) : T(1) - T(0.5) * (T(1) - t) * (T(1) - t);
}

// Integral weight of sample `i` for the window [lo, hi].
template <typename T>
C10_HOST_DEVICE inline T window_weight(T lo, T hi, int64_t i) {
  return hat_antiderivative(hi - T(i)) - hat_antiderivative(lo - T(i));
}

// Samples [first, last] (clipped to [0, size-1]; empty when first > last) with a non-zero weight for [lo, hi].
template <typename T>
C10_HOST_DEVICE inline void window_range(T lo, T hi, int64_t size, int64_t* first, int64_t* last) {
  int64_t f = static_cast<int64_t>(::floor(lo));
  int64_t l = static_cast<int64_t>(::ceil(hi));
  *first = f < 0 ? 0 : (f > size ? size : f);
  *last = l > size - 1 ? size - 1 : l;
}

// The ROI's scaled geometry: bin windows are [start + p * bin, start + p * bin + bin].
template <typename T>
struct RoiGeometry {
  int64_t batch;
  T x0, y0, bin_w, bin_h, inv_area;  // inv_area = 0 for an empty ROI (its output is 0)
};

template <typename T, typename R>
C10_HOST_DEVICE inline RoiGeometry<T> roi_geometry(const R* roi, T spatial_scale, int64_t pooled_height,
                                                   int64_t pooled_width) {
  RoiGeometry<T> g;
  g.batch = static_cast<int64_t>(roi[0]);
  g.x0 = static_cast<T>(roi[1]) * spatial_scale;
  g.y0 = static_cast<T>(roi[2]) * spatial_scale;
  T w = static_cast<T>(roi[3]) * spatial_scale - g.x0;
  T h = static_cast<T>(roi[4]) * spatial_scale - g.y0;
  g.bin_w = (w > T(0) ? w : T(0)) / T(pooled_width);
  g.bin_h = (h > T(0) ? h : T(0)) / T(pooled_height);
  T area = g.bin_w * g.bin_h;
  g.inv_area = area > T(0) ? T(1) / area : T(0);
  return g;
}

}  // namespace ops
}  // namespace ltr
