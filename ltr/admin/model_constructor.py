"""`@model_constructor`: remember how a network was built, so a checkpoint can rebuild it.

The decorated factory attaches a `NetConstructor(fun_name, fun_module, args, kwds)` as `net.constructor`;
`NetConstructor.get()` imports `fun_module` and calls `fun_name(*args, **kwds)` again.
"""
import importlib
from functools import wraps


def model_constructor(f):
    @wraps(f)
    def f_wrapper(*args, **kwds):
        net_constr = NetConstructor(f.__name__, f.__module__, args, kwds)
        output = f(*args, **kwds)
        # A factory may return several objects; the constructor goes on the first (as in pytracking).
        if isinstance(output, (tuple, list)):
            output[0].constructor = net_constr
        else:
            output.constructor = net_constr
        return output
    return f_wrapper


class NetConstructor:
    def __init__(self, fun_name, fun_module, args, kwds):
        self.fun_name = fun_name
        self.fun_module = fun_module
        self.args = args
        self.kwds = kwds

    def get(self):
        net_module = importlib.import_module(self.fun_module)
        net_fun = getattr(net_module, self.fun_name)
        return net_fun(*self.args, **self.kwds)

    def __repr__(self):
        return f'NetConstructor({self.fun_module}.{self.fun_name}, args={self.args!r}, kwds={self.kwds!r})'
