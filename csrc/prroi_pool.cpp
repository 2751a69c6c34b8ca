// Op schemas for Precise RoI Pooling (namespace `ltr`), and the Python module `ltr._C` that loads them.
// Kernels register themselves per backend (cpu/prroi_pool_kernel.cpp, cuda/prroi_pool_kernel.cu);
// the fake kernels and autograd are registered in Python (ltr/ops/_registrations.py).
#include <Python.h>
#include <torch/library.h>

extern "C" {
// An empty module: importing `ltr._C` loads this shared library, which runs the registrations below.
PyObject* PyInit__C(void) {
  static struct PyModuleDef module_def = {PyModuleDef_HEAD_INIT, "_C", nullptr, -1, nullptr};
  return PyModule_Create(&module_def);
}
}

TORCH_LIBRARY(ltr, m) {
  // features (B,C,H,W); rois (K,5) [batch_index, x0, y0, x1, y1], same dtype -> (K,C,ph,pw)
  m.def("prroi_pool2d(Tensor features, Tensor rois, SymInt pooled_height, SymInt pooled_width, "
        "float spatial_scale) -> Tensor");
  // -> (grad_features, grad_rois); a gradient not asked for is returned as zeros.
  m.def("_prroi_pool2d_backward(Tensor grad, Tensor features, Tensor rois, Tensor output, "
        "SymInt pooled_height, SymInt pooled_width, float spatial_scale, bool features_needs_grad, "
        "bool rois_needs_grad) -> (Tensor, Tensor)");
}
