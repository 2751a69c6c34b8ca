"""Parametric activations against their closed forms, evaluated by hand."""
import math

import torch

from ltr.models.layers import activation


def test_softmax_reg_adds_a_hidden_logit():
    x = torch.tensor([[0.0, math.log(2.0)]])
    # exp: 1, 2 and the extra logit log(1) = 0 -> exp 1; denominators 1 + 2 + 1 = 4
    torch.testing.assert_close(activation.softmax_reg(x, dim=1, reg=0.0), torch.tensor([[0.25, 0.5]]))
    torch.testing.assert_close(activation.softmax_reg(x, dim=-1), torch.tensor([[1 / 3, 2 / 3]]))


def test_leaky_relu_par_and_bent_ident():
    x = torch.tensor([-2.0, 3.0])
    a = 0.5
    # (1-a)/2 |x| + (1+a)/2 x = 0.25|x| + 0.75x -> -1.0, 3.0
    torch.testing.assert_close(activation.LeakyReluPar()(x, a), torch.tensor([-1.0, 3.0]))
    torch.testing.assert_close(activation.LeakyReluParDeriv()(x, a), torch.tensor([0.5, 1.0]))
    # b=1: 0.25 (sqrt(x^2+4) - 2) + 0.75 x
    expected = torch.tensor([0.25 * (math.sqrt(8) - 2) - 1.5, 0.25 * (math.sqrt(13) - 2) + 2.25])
    torch.testing.assert_close(activation.BentIdentPar()(x, a), expected)
    xr = x.clone().requires_grad_(True)
    activation.BentIdentPar()(xr, a).sum().backward()
    torch.testing.assert_close(activation.BentIdentParDeriv()(x, a), xr.grad)


def test_mlu():
    m = activation.MLU(min_val=0.5)
    # positive: leaky slope 1 for x>0 -> x; negative: leaky_relu(-1, 2) = -2 -> elu(-2, 0.5) = 0.5 (e^-2 - 1)
    torch.testing.assert_close(m(torch.tensor([1.0, -1.0])), torch.tensor([1.0, 0.5 * (math.exp(-2) - 1)]))
