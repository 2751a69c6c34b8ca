"""Parametric activations used by pytracking's optimisers (pytracking.libs.optimization imports this).

With a in [0, 1] the "Par" activations interpolate between |x| (a=0) and the identity (a=1)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def softmax_reg(x: torch.Tensor, dim, reg=None):
    """Softmax along dim with an extra logit `reg` appended (then dropped), i.e. exp(x)/(sum exp(x) + exp(reg))."""
    if reg is None:
        return torch.softmax(x, dim=dim)
    dim %= x.dim()
    if isinstance(reg, (float, int)):
        reg = x.new_tensor([reg])
    reg = reg.expand([1 if d == dim else x.shape[d] for d in range(x.dim())])
    x = torch.cat((x, reg), dim=dim)
    return torch.softmax(x, dim=dim)[tuple(slice(-1) if d == dim else slice(None) for d in range(x.dim()))]


class MLU(nn.Module):
    """Leaky-ReLU with slope 1/min_val followed by ELU(alpha=min_val): smooth, bounded below by -min_val."""

    def __init__(self, min_val, inplace=False):
        super().__init__()
        self.min_val = min_val
        self.inplace = inplace

    def forward(self, input):
        return F.elu(F.leaky_relu(input, 1 / self.min_val, inplace=self.inplace), self.min_val,
                     inplace=self.inplace)


class LeakyReluPar(nn.Module):
    """(1-a)/2 |x| + (1+a)/2 x."""

    def forward(self, x, a):
        return (1.0 - a) / 2.0 * torch.abs(x) + (1.0 + a) / 2.0 * x


class LeakyReluParDeriv(nn.Module):
    """Derivative of LeakyReluPar w.r.t. x: (1-a)/2 sign(x) + (1+a)/2."""

    def forward(self, x, a):
        return (1.0 - a) / 2.0 * torch.sign(x.detach()) + (1.0 + a) / 2.0


class BentIdentPar(nn.Module):
    """Smooth version of LeakyReluPar: (1-a)/2 (sqrt(x^2 + 4b^2) - 2b) + (1+a)/2 x."""

    def __init__(self, b=1.0):
        super().__init__()
        self.b = b

    def forward(self, x, a):
        return (1.0 - a) / 2.0 * (torch.sqrt(x * x + 4.0 * self.b * self.b) - 2.0 * self.b) + (1.0 + a) / 2.0 * x


class BentIdentParDeriv(nn.Module):
    """Derivative of BentIdentPar w.r.t. x."""

    def __init__(self, b=1.0):
        super().__init__()
        self.b = b

    def forward(self, x, a):
        return (1.0 - a) / 2.0 * (x / torch.sqrt(x * x + 4.0 * self.b * self.b)) + (1.0 + a) / 2.0
