// CUDA kernels of Precise RoI Pooling: one thread per output element (ROI, channel, bin), on the current stream
// of the input's device. The feature gradient is scattered with atomic adds (order-dependent in the last bits,
// like the original), so the backward alerts torch.use_deterministic_algorithms (as torchvision's roi_align
// does); the ROI gradient is written per output element and summed with a reduction, so it is deterministic.
// Inputs are checked by the code the CPU kernels use (../prroi_pool_checks.cpp), so a bad batch index raises
// the same ValueError on both devices. That check copies the K batch indices to the host, one synchronisation
// per call; it is skipped while the stream is being captured into a CUDA graph (a capture cannot synchronise),
// and the kernels still guard against out-of-range indices (such a ROI pools zeros) for that case.
#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/cuda/Atomic.cuh>
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGraphsC10Utils.h>
#include <c10/cuda/CUDAStream.h>
#include <c10/cuda/CUDAGuard.h>
#include <torch/library.h>

#include <utility>

#include "../prroi_pool.h"

namespace ltr {
namespace ops {
namespace {

constexpr int kThreads = 256;

inline int64_t num_blocks(int64_t n) {
  return std::min<int64_t>((n + kThreads - 1) / kThreads, int64_t(1) << 30);
}

template <typename T>
struct BinWindow {
  T ylo, yhi, xlo, xhi;
  int64_t i0, i1, j0, j1;  // inclusive sample ranges with non-zero weights
};

template <typename T>
__device__ inline BinWindow<T> bin_window(const RoiGeometry<T>& g, int64_t p, int64_t q, int64_t H, int64_t W) {
  BinWindow<T> w;
  w.ylo = g.y0 + g.bin_h * T(p);
  w.yhi = w.ylo + g.bin_h;
  w.xlo = g.x0 + g.bin_w * T(q);
  w.xhi = w.xlo + g.bin_w;
  window_range(w.ylo, w.yhi, H, &w.i0, &w.i1);
  window_range(w.xlo, w.xhi, W, &w.j0, &w.j1);
  return w;
}

template <typename scalar_t>
__global__ void prroi_forward_kernel(int64_t n, const scalar_t* __restrict__ F, const scalar_t* __restrict__ rois,
                                     int64_t B, int64_t C, int64_t H, int64_t W, int64_t ph, int64_t pw,
                                     at::opmath_type<scalar_t> scale, scalar_t* __restrict__ out) {
  using T = at::opmath_type<scalar_t>;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < n; idx += int64_t(blockDim.x) * gridDim.x) {
    const int64_t q = idx % pw, p = (idx / pw) % ph, c = (idx / (pw * ph)) % C, k = idx / (pw * ph * C);
    const auto g = roi_geometry<T>(rois + k * 5, scale, ph, pw);
    T s = 0;
    if (g.inv_area != T(0) && g.batch >= 0 && g.batch < B) {
      const auto w = bin_window(g, p, q, H, W);
      const scalar_t* plane = F + (g.batch * C + c) * H * W;
      for (int64_t i = w.i0; i <= w.i1; ++i) {
        const T a = window_weight(w.ylo, w.yhi, i);
        T r = 0;
        for (int64_t j = w.j0; j <= w.j1; ++j) r += window_weight(w.xlo, w.xhi, j) * static_cast<T>(plane[i * W + j]);
        s += a * r;
      }
      s *= g.inv_area;
    }
    out[idx] = static_cast<scalar_t>(s);
  }
}

template <typename scalar_t>
__global__ void prroi_features_backward_kernel(int64_t n, const scalar_t* __restrict__ grad,
                                               const scalar_t* __restrict__ rois, int64_t B, int64_t C, int64_t H,
                                               int64_t W, int64_t ph, int64_t pw, at::opmath_type<scalar_t> scale,
                                               scalar_t* __restrict__ grad_features) {
  using T = at::opmath_type<scalar_t>;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < n; idx += int64_t(blockDim.x) * gridDim.x) {
    const int64_t q = idx % pw, p = (idx / pw) % ph, c = (idx / (pw * ph)) % C, k = idx / (pw * ph * C);
    const auto g = roi_geometry<T>(rois + k * 5, scale, ph, pw);
    const T gv = static_cast<T>(grad[idx]) * g.inv_area;
    if (gv == T(0) || g.batch < 0 || g.batch >= B) continue;
    const auto w = bin_window(g, p, q, H, W);
    scalar_t* plane = grad_features + (g.batch * C + c) * H * W;
    for (int64_t i = w.i0; i <= w.i1; ++i) {
      const T a = gv * window_weight(w.ylo, w.yhi, i);
      for (int64_t j = w.j0; j <= w.j1; ++j)
        gpuAtomicAdd(plane + i * W + j, static_cast<scalar_t>(a * window_weight(w.xlo, w.xhi, j)));
    }
  }
}

// Linear interpolation along x of row i at point x (zero outside the map).
template <typename T, typename scalar_t>
__device__ inline T interp_x(const scalar_t* row, int64_t W, T x) {
  const T fl = ::floor(x);
  const int64_t j = static_cast<int64_t>(fl);
  const T f = x - fl;
  T s = 0;
  if (j >= 0 && j < W) s += (T(1) - f) * static_cast<T>(row[j]);
  if (j + 1 >= 0 && j + 1 < W) s += f * static_cast<T>(row[j + 1]);
  return s;
}

// Per output element, its contribution to d L / d (x0, y0, x1, y1) of its ROI: contrib[(k*4 + e) * m + r],
// with m = C*ph*pw and r the element's index inside the ROI. See the CPU kernel for the derivation.
template <typename scalar_t>
__global__ void prroi_rois_backward_kernel(int64_t n, const scalar_t* __restrict__ grad, const scalar_t* __restrict__ F,
                                           const scalar_t* __restrict__ rois, const scalar_t* __restrict__ output,
                                           int64_t B, int64_t C, int64_t H, int64_t W, int64_t ph, int64_t pw,
                                           at::opmath_type<scalar_t> scale, at::opmath_type<scalar_t>* __restrict__ contrib) {
  using T = at::opmath_type<scalar_t>;
  const int64_t m = C * ph * pw;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < n; idx += int64_t(blockDim.x) * gridDim.x) {
    const int64_t q = idx % pw, p = (idx / pw) % ph, c = (idx / (pw * ph)) % C, k = idx / m, r = idx % m;
    const auto g = roi_geometry<T>(rois + k * 5, scale, ph, pw);
    const T gv = static_cast<T>(grad[idx]);
    T d[4] = {0, 0, 0, 0};
    if (gv != T(0) && g.inv_area != T(0) && g.batch >= 0 && g.batch < B) {
      const auto w = bin_window(g, p, q, H, W);
      const scalar_t* plane = F + (g.batch * C + c) * H * W;
      // line integrals along the vertical edges (x = xlo, xhi)
      T ix_lo = 0, ix_hi = 0;
      for (int64_t i = w.i0; i <= w.i1; ++i) {
        const T a = window_weight(w.ylo, w.yhi, i);
        ix_lo += a * interp_x<T>(plane + i * W, W, w.xlo);
        ix_hi += a * interp_x<T>(plane + i * W, W, w.xhi);
      }
      // line integrals along the horizontal edges (y = ylo, yhi): two rows next to each edge
      T iy[2];
      const T ye[2] = {w.ylo, w.yhi};
      for (int e = 0; e < 2; ++e) {
        const T fl = ::floor(ye[e]);
        const int64_t i = static_cast<int64_t>(fl);
        const T f = ye[e] - fl;
        T s = 0;
        for (int64_t j = w.j0; j <= w.j1; ++j) {
          const T b = window_weight(w.xlo, w.xhi, j);
          T v = 0;
          if (i >= 0 && i < H) v += (T(1) - f) * static_cast<T>(plane[i * W + j]);
          if (i + 1 >= 0 && i + 1 < H) v += f * static_cast<T>(plane[(i + 1) * W + j]);
          s += b * v;
        }
        iy[e] = s;
      }
      const T o = static_cast<T>(output[idx]);
      const T fq = T(q) / T(pw), fq1 = T(q + 1) / T(pw), fp = T(p) / T(ph), fp1 = T(p + 1) / T(ph);
      const T s = gv * g.inv_area * scale;
      d[0] = s * (-ix_lo * (T(1) - fq) + ix_hi * (T(1) - fq1) + o * g.bin_h / T(pw));
      d[1] = s * (-iy[0] * (T(1) - fp) + iy[1] * (T(1) - fp1) + o * g.bin_w / T(ph));
      d[2] = s * (-ix_lo * fq + ix_hi * fq1 - o * g.bin_h / T(pw));
      d[3] = s * (-iy[0] * fp + iy[1] * fp1 - o * g.bin_w / T(ph));
    }
    for (int e = 0; e < 4; ++e) contrib[(k * 4 + e) * m + r] = d[e];
  }
}

// The shared checks (prroi_pool_checks.cpp), then contiguous copies of (features, rois). The batch indices are
// checked unless the current stream of the input's device is being captured into a CUDA graph.
std::pair<at::Tensor, at::Tensor> checked_inputs(const at::Tensor& features, const at::Tensor& rois, int64_t ph,
                                                 int64_t pw) {
  check_inputs(features, rois, ph, pw, c10::DeviceType::CUDA, /*validate_batch_indices=*/false);
  const c10::cuda::CUDAGuard device_guard(features.device());
  if (c10::cuda::currentStreamCaptureStatusMayInitCtx() == c10::cuda::CaptureStatus::None)
    check_batch_indices(rois, features.size(0));
  return {features.contiguous(), rois.contiguous()};
}

at::Tensor prroi_pool2d_forward_cuda(const at::Tensor& features_, const at::Tensor& rois_, int64_t ph, int64_t pw,
                                     double spatial_scale) {
  const auto inputs = checked_inputs(features_, rois_, ph, pw);
  const at::Tensor &features = inputs.first, &rois = inputs.second;
  const c10::cuda::CUDAGuard device_guard(features.device());
  const int64_t B = features.size(0), C = features.size(1), H = features.size(2), W = features.size(3);
  const int64_t K = rois.size(0);
  auto output = at::empty({K, C, ph, pw}, features.options());
  const int64_t n = output.numel();
  if (n == 0) return output;
  if (H == 0 || W == 0) return output.zero_();
  const auto stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, features.scalar_type(), "prroi_pool2d_forward_cuda", [&] {
    prroi_forward_kernel<scalar_t><<<num_blocks(n), kThreads, 0, stream>>>(
        n, features.const_data_ptr<scalar_t>(), rois.const_data_ptr<scalar_t>(), B, C, H, W, ph, pw,
        static_cast<at::opmath_type<scalar_t>>(spatial_scale), output.mutable_data_ptr<scalar_t>());
    C10_CUDA_KERNEL_LAUNCH_CHECK();
  });
  return output;
}

std::tuple<at::Tensor, at::Tensor> prroi_pool2d_backward_cuda(const at::Tensor& grad_, const at::Tensor& features_,
                                                              const at::Tensor& rois_, const at::Tensor& output_,
                                                              int64_t ph, int64_t pw, double spatial_scale,
                                                              bool features_needs_grad, bool rois_needs_grad) {
  const auto inputs = checked_inputs(features_, rois_, ph, pw);
  const at::Tensor &features = inputs.first, &rois = inputs.second;
  const c10::cuda::CUDAGuard device_guard(features.device());
  const int64_t B = features.size(0), C = features.size(1), H = features.size(2), W = features.size(3);
  const int64_t K = rois.size(0);
  const std::vector<int64_t> out_shape{K, C, ph, pw};
  TORCH_CHECK(grad_.sizes() == at::IntArrayRef(out_shape), "prroi_pool2d backward: grad must be ", out_shape,
              "; got ", grad_.sizes());
  const auto grad = grad_.to(features.scalar_type()).contiguous();
  auto grad_features = at::zeros(features.sizes(), features.options());
  auto grad_rois = at::zeros(rois.sizes(), rois.options());
  const int64_t n = grad.numel();
  if (n == 0 || H == 0 || W == 0) return {grad_features, grad_rois};
  if (features_needs_grad) {
    // The feature gradient is accumulated with atomicAdd: raises (or warns, with warn_only=True) under
    // torch.use_deterministic_algorithms(True). The ROI gradient alone is deterministic.
    at::globalContext().alertNotDeterministic("prroi_pool2d_backward_cuda");
  }
  const auto stream = c10::cuda::getCurrentCUDAStream();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, features.scalar_type(), "prroi_pool2d_backward_cuda", [&] {
    using T = at::opmath_type<scalar_t>;
    if (features_needs_grad) {
      prroi_features_backward_kernel<scalar_t><<<num_blocks(n), kThreads, 0, stream>>>(
          n, grad.const_data_ptr<scalar_t>(), rois.const_data_ptr<scalar_t>(), B, C, H, W, ph, pw,
          static_cast<T>(spatial_scale), grad_features.mutable_data_ptr<scalar_t>());
      C10_CUDA_KERNEL_LAUNCH_CHECK();
    }
    if (rois_needs_grad) {
      TORCH_CHECK(output_.sizes() == at::IntArrayRef(out_shape), "prroi_pool2d backward: output must be ",
                  out_shape, "; got ", output_.sizes());
      const auto output = output_.to(features.scalar_type()).contiguous();
      auto contrib = at::empty({K, 4, C * ph * pw}, features.options().dtype(at::toOpMathType(features.scalar_type())));
      prroi_rois_backward_kernel<scalar_t><<<num_blocks(n), kThreads, 0, stream>>>(
          n, grad.const_data_ptr<scalar_t>(), features.const_data_ptr<scalar_t>(), rois.const_data_ptr<scalar_t>(),
          output.const_data_ptr<scalar_t>(), B, C, H, W, ph, pw, static_cast<T>(spatial_scale),
          contrib.mutable_data_ptr<T>());
      C10_CUDA_KERNEL_LAUNCH_CHECK();
      grad_rois.narrow(1, 1, 4).copy_(contrib.sum(2));
    }
  });
  return {grad_features, grad_rois};
}

}  // namespace

TORCH_LIBRARY_IMPL(ltr, CUDA, m) {
  m.impl("prroi_pool2d", &prroi_pool2d_forward_cuda);
  m.impl("_prroi_pool2d_backward", &prroi_pool2d_backward_cuda);
}

}  // namespace ops
}  // namespace ltr
