"""Python-side registrations for the compiled PrRoIPool op (imported by `_extension` only when `ltr._C` loaded).

- a fake kernel so torch.compile / FakeTensor can trace `ltr::prroi_pool2d` and its backward;
- autograd: the backward is the op `ltr::_prroi_pool2d_backward`, which returns the gradients for the
  features and the rois (columns 1..4; the batch index gets 0). Double backward is not supported.
"""
import torch


@torch.library.register_fake('ltr::prroi_pool2d')
def _prroi_pool2d_fake(features, rois, pooled_height, pooled_width, spatial_scale):
    torch._check(features.dim() == 4, lambda: 'prroi_pool2d: features must be 4-D (B, C, H, W)')
    torch._check(rois.dim() == 2 and rois.shape[1] == 5, lambda: 'prroi_pool2d: rois must be (K, 5)')
    torch._check(rois.dtype == features.dtype, lambda: 'prroi_pool2d: rois and features must share a dtype')
    return features.new_empty((rois.shape[0], features.shape[1], pooled_height, pooled_width))


@torch.library.register_fake('ltr::_prroi_pool2d_backward')
def _prroi_pool2d_backward_fake(grad, features, rois, output, pooled_height, pooled_width, spatial_scale,
                                features_needs_grad, rois_needs_grad):
    return torch.empty_like(features), torch.empty_like(rois)


def _setup_context(ctx, inputs, output):
    features, rois, pooled_height, pooled_width, spatial_scale = inputs
    ctx.save_for_backward(features, rois, output)
    ctx.pooled_height, ctx.pooled_width, ctx.spatial_scale = pooled_height, pooled_width, spatial_scale


def _backward(ctx, grad):
    features, rois, output = ctx.saved_tensors
    need_f, need_r = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
    grad_features, grad_rois = torch.ops.ltr._prroi_pool2d_backward(
        grad, features, rois, output, ctx.pooled_height, ctx.pooled_width, ctx.spatial_scale, need_f, need_r)
    return (grad_features if need_f else None), (grad_rois if need_r else None), None, None, None


torch.library.register_autograd('ltr::prroi_pool2d', _backward, setup_context=_setup_context)
