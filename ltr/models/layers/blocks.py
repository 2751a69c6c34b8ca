"""Small building blocks shared by the networks."""
import torch.nn as nn


# Kept for pytracking API compatibility; not on ATOM's path.
def conv_block(in_planes, out_planes, kernel_size=3, stride=1, padding=1, dilation=1, bias=True,
               batch_norm=True, relu=True, padding_mode='zeros'):
    """Conv2d (+ BatchNorm2d) (+ ReLU) as an nn.Sequential.

    Faithful quirk: padding_mode='replicate' inserts a *reflection* pad before an unpadded conv, as in
    pytracking (kept because it changes results of networks trained with it; not used by ATOM)."""
    layers = []
    if padding_mode == 'zeros':
        layers.append(nn.Conv2d(in_planes, out_planes, kernel_size=kernel_size, stride=stride, padding=padding,
                                dilation=dilation, bias=bias))
    elif padding_mode == 'replicate':
        layers.append(nn.ReflectionPad2d(padding))
        layers.append(nn.Conv2d(in_planes, out_planes, kernel_size=kernel_size, stride=stride, padding=0,
                                dilation=dilation, bias=bias))
    else:
        raise ValueError("conv_block: padding_mode must be 'zeros' or 'replicate', got {!r}".format(padding_mode))
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_planes))
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class LinearBlock(nn.Module):
    """Flatten a (B, C, input_sz, input_sz) map, apply Linear, then BatchNorm2d on (B, out, 1, 1) and ReLU.
    Returns (B, out_planes)."""

    def __init__(self, in_planes, out_planes, input_sz, bias=True, batch_norm=True, relu=True):
        super().__init__()
        self.linear = nn.Linear(in_planes * input_sz * input_sz, out_planes, bias=bias)
        self.bn = nn.BatchNorm2d(out_planes) if batch_norm else None
        self.relu = nn.ReLU(inplace=True) if relu else None

    def forward(self, x):
        x = self.linear(x.reshape(x.shape[0], -1))
        if self.bn is not None:
            x = self.bn(x.reshape(x.shape[0], x.shape[1], 1, 1))
        if self.relu is not None:
            x = self.relu(x)
        return x.reshape(x.shape[0], -1)
