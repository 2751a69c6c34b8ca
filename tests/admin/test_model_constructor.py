import torch.nn as nn

from ltr.admin.model_constructor import NetConstructor, model_constructor
from ltr.admin.stats import AverageMeter, StatValue


@model_constructor
def tiny_net(in_features, out_features=3, bias=True):
    return nn.Linear(in_features, out_features, bias=bias)


@model_constructor
def net_and_extra(n):
    return nn.Linear(n, n), 'extra'


def test_constructor_records_the_call_and_rebuilds_the_same_net():
    net = tiny_net(5, out_features=2, bias=False)
    c = net.constructor
    assert isinstance(c, NetConstructor)
    assert (c.fun_name, c.fun_module, c.args, c.kwds) == ('tiny_net', __name__, (5,),
                                                          {'out_features': 2, 'bias': False})
    rebuilt = c.get()
    assert isinstance(rebuilt, nn.Linear)
    assert rebuilt.weight.shape == (2, 5) and rebuilt.bias is None
    assert tiny_net.__name__ == 'tiny_net'  # functools.wraps keeps the factory's name


def test_constructor_goes_on_the_first_element_of_a_tuple():
    net, extra = net_and_extra(4)
    assert net.constructor.args == (4,) and extra == 'extra'


def test_average_meter_weighted_mean_and_epochs():
    m = AverageMeter()
    m.update(1.0, n=1)
    m.update(4.0, n=3)
    assert m.avg == (1.0 + 12.0) / 4
    m.new_epoch()
    assert m.history == [3.25] and m.has_new_data and m.count == 0
    m.new_epoch()  # no data this epoch
    assert m.history == [3.25] and not m.has_new_data
    s = StatValue()
    s.update(2)
    s.update(5)
    assert s.val == 5 and s.history == [2, 5]
