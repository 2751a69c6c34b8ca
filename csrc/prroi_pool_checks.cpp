// Input checks of Precise RoI Pooling, shared by the CPU and the CUDA kernels (declared in prroi_pool.h), so that
// both devices raise the same error, with the same message, for the same bad input. The batch-index errors are
// ValueErrors in Python (TORCH_CHECK_VALUE) and read as those of the pure-PyTorch fallback
// (ltr/ops/prroi_pool_torch.py, roi_batch_indices).
#include <ATen/ATen.h>

#include <cmath>
#include <iomanip>
#include <sstream>

#include "prroi_pool.h"

namespace ltr {
namespace ops {

void check_batch_indices(const at::Tensor& rois, int64_t batch_size) {
  const int64_t K = rois.size(0);
  if (K == 0) return;
  // The index column as float64 on the host. For CUDA rois this is a device->host copy of K numbers and thus a
  // synchronisation of the current stream: the price of raising instead of silently pooling zeros (the CUDA
  // kernels cannot raise). prroi_pool_kernel.cu skips it while a CUDA graph is being captured.
  const at::Tensor idx = rois.select(1, 0).to(at::TensorOptions().device(at::kCPU).dtype(at::kDouble)).contiguous();
  const double* v = idx.const_data_ptr<double>();
  double lo = v[0], hi = v[0];
  for (int64_t k = 0; k < K; ++k) {
    TORCH_CHECK_VALUE(std::isfinite(v[k]) && v[k] == std::floor(v[k]),
                      "rois[:, 0] (batch index) must hold whole numbers; got ", v[k], " at row ", k);
    lo = v[k] < lo ? v[k] : lo;
    hi = v[k] > hi ? v[k] : hi;
  }
  if (lo < 0 || hi >= static_cast<double>(batch_size)) {
    std::ostringstream range;  // whole numbers, printed without a fraction
    range << std::fixed << std::setprecision(0) << "[" << lo << ", " << hi << "]";
    TORCH_CHECK_VALUE(false, "rois[:, 0] (batch index) must be in [0, ", batch_size, ") for features with batch size ",
                      batch_size, "; got values in ", range.str());
  }
}

void check_inputs(const at::Tensor& features, const at::Tensor& rois, int64_t ph, int64_t pw,
                  c10::DeviceType device_type, bool validate_batch_indices) {
  TORCH_CHECK(features.dim() == 4, "prroi_pool2d: features must be 4-D (B, C, H, W); got ", features.sizes());
  TORCH_CHECK(rois.dim() == 2 && rois.size(1) == 5, "prroi_pool2d: rois must be (K, 5); got ", rois.sizes());
  TORCH_CHECK(features.scalar_type() == rois.scalar_type(), "prroi_pool2d: features (", features.scalar_type(),
              ") and rois (", rois.scalar_type(), ") must have the same dtype");
  TORCH_CHECK(features.device().type() == device_type && rois.device() == features.device(), "prroi_pool2d ",
              c10::DeviceTypeName(device_type), " kernel: features and rois must be on the same ",
              c10::DeviceTypeName(device_type, /*lower_case=*/true), " device; got features on ", features.device(),
              ", rois on ", rois.device());
  TORCH_CHECK(ph > 0 && pw > 0, "prroi_pool2d: pooled_height and pooled_width must be positive; got ", ph, ", ", pw);
  if (validate_batch_indices) check_batch_indices(rois, features.size(0));
}

}  // namespace ops
}  // namespace ltr
