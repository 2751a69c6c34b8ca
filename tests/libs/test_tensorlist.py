"""TensorList / TensorDict semantics, checked against hand-computed per-element results."""
import copy
import pickle

import pytest
import torch

from pytracking.libs import TensorDict, TensorList, tensor_operation


def tl(*vals):
    return TensorList([torch.tensor(v, dtype=torch.float64) for v in vals])


def assert_tl_equal(a, expected):
    assert isinstance(a, TensorList)
    assert len(a) == len(expected)
    for x, e in zip(a, expected):
        assert torch.equal(x, torch.as_tensor(e, dtype=x.dtype))


def test_elementwise_arithmetic_with_lists_scalars_and_reflected():
    a, b = tl([1., 2.], [3.]), tl([4., 6.], [5.])
    assert_tl_equal(a + b, [[5., 8.], [8.]])
    assert_tl_equal(a - b, [[-3., -4.], [-2.]])
    assert_tl_equal(a * b, [[4., 12.], [15.]])
    assert_tl_equal(b / a, [[4., 3.], [5. / 3.]])
    assert_tl_equal(b % a, [[0., 0.], [2.]])
    assert_tl_equal(a + 1, [[2., 3.], [4.]])
    assert_tl_equal(10 - a, [[9., 8.], [7.]])
    assert_tl_equal(2 * a, [[2., 4.], [6.]])
    assert_tl_equal(6 / a, [[6., 3.], [2.]])
    assert_tl_equal(7 % a, [[0., 1.], [1.]])
    assert_tl_equal(-a, [[-1., -2.], [-3.]])
    assert_tl_equal(+a, [[1., 2.], [3.]])
    # a plain python list of tensors is also accepted as the other operand
    assert_tl_equal(a + [torch.tensor(1.), torch.tensor(2.)], [[2., 3.], [5.]])
    assert_tl_equal(a <= tl([1., 1.], [4.]), [[True, False], [True]])
    assert_tl_equal(a >= 2, [[False, True], [True]])


def test_matmul():
    m = TensorList([torch.tensor([[1., 2.], [3., 4.]])])
    v = TensorList([torch.tensor([1., 1.])])
    assert_tl_equal(m @ v, [[3., 7.]])
    assert_tl_equal(v @ m, [[4., 6.]])


def test_inplace_ops_modify_the_tensors_and_keep_identity():
    a = tl([1., 2.], [3.])
    t0 = a[0]
    a_id = id(a)
    a += tl([1., 1.], [1.])
    a *= 2
    a -= 1
    a /= tl([1., 1.], [7.])
    assert id(a) == a_id
    assert_tl_equal(a, [[3., 5.], [1.]])
    assert torch.equal(t0, torch.tensor([3., 5.], dtype=torch.float64))  # really in place


def test_length_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match='length'):
        tl([1.]) + tl([1.], [2.])


def test_indexing_concat_copy_unroll_list():
    a = tl([1.], [2.], [3.])
    assert torch.equal(a[1], torch.tensor([2.], dtype=torch.float64))
    assert isinstance(a[1:], TensorList) and len(a[1:]) == 2
    sub = a[[0, 2]]
    assert isinstance(sub, TensorList) and sub[1] is a[2]
    c = a.concat(tl([4.]))
    assert isinstance(c, TensorList) and len(c) == 4 and c[0] is a[0]
    cp = a.copy()
    assert isinstance(cp, TensorList) and cp is not a and cp[0] is a[0]
    nested = TensorList([a[0], TensorList([a[1], TensorList([a[2]])])])
    flat = nested.unroll()
    assert len(flat) == 3 and flat[2] is a[2]
    assert type(a.list()) is list


def test_tensor_method_forwarding_and_properties():
    a = TensorList([torch.arange(6.).view(2, 3), torch.arange(4.)])
    v = a.view(-1)
    assert [t.shape for t in v] == [torch.Size([6]), torch.Size([4])]
    assert_tl_equal(a.sum(), [15., 6.])
    assert a.shape == [torch.Size([2, 3]), torch.Size([4])]
    assert a.requires_grad == [False, False]
    a.requires_grad_(True)
    assert all(t.requires_grad for t in a)
    assert a.attribute('ndim') == [2, 1]
    assert a.attribute('nonexistent', 5) == [5, 5]
    assert_tl_equal(TensorList([torch.tensor(4.)]).apply(lambda t: t + 1), [5.])
    with pytest.raises(AttributeError):
        _ = a.not_a_tensor_method
    # protocol names must not be forwarded (torch would treat the list as a tensor-like)
    assert not hasattr(a, '__torch_function__')
    assert not hasattr(a, '__array__')


def test_autograd_grad_over_tensorlists():
    x = TensorList([torch.tensor([1., 2.], requires_grad=True), torch.tensor([3.], requires_grad=True)])
    f = x * x * x  # d/dx sum(g * x^3) = 3 x^2 g
    g = TensorList([torch.tensor([1., 1.]), torch.tensor([2.])])
    grads = torch.autograd.grad(f, x, g, create_graph=True)
    assert torch.allclose(grads[0], torch.tensor([3., 12.]))
    assert torch.allclose(grads[1], torch.tensor([54.]))
    # double backward through TensorLists (the trick Gauss-Newton uses)
    gg = torch.autograd.grad(TensorList(grads), x, TensorList([torch.ones(2), torch.ones(1)]))
    assert torch.allclose(gg[0], torch.tensor([6., 12.]))  # 6 x g
    assert torch.allclose(gg[1], torch.tensor([36.]))


def test_copy_and_pickle_keep_contents():
    a = tl([1., 2.], [3.])
    d = copy.deepcopy(a)
    assert isinstance(d, TensorList) and d[0] is not a[0] and torch.equal(d[0], a[0])
    p = pickle.loads(pickle.dumps(a))
    assert isinstance(p, TensorList) and torch.equal(p[1], a[1])


def test_tensor_operation_decorator():
    @tensor_operation
    def scale_add(x, y, c=1):
        return x * c + y

    a, b = tl([1.], [2.]), tl([10.], [20.])
    assert_tl_equal(scale_add(a, b, c=2), [[12.], [24.]])      # both lists: zipped
    assert_tl_equal(scale_add(a, torch.tensor(1.)), [[2.], [3.]])  # first only
    assert_tl_equal(scale_add(torch.tensor(1.), b), [[11.], [21.]])  # second only
    assert torch.equal(scale_add(torch.tensor(1.), torch.tensor(2.)), torch.tensor(3.))
    with pytest.raises(ValueError):
        scale_add()


def test_tensordict():
    d = TensorDict({'a': torch.tensor([1, 2]), 'name': 'seq', 'b': torch.tensor(3.)})
    d2 = d.to(torch.float64)  # non-tensors pass through
    assert d2['a'].dtype == torch.float64 and d2['name'] == 'seq'
    assert list(d2.keys()) == ['a', 'name', 'b']
    assert isinstance(d2, TensorDict)
    assert d.shape['a'] == torch.Size([2]) and d.shape['name'] == 'seq'
    c = d.concat({'c': torch.tensor(0.)})
    assert list(c.keys()) == ['a', 'name', 'b', 'c'] and isinstance(c, TensorDict)
    cp = d.copy()
    assert isinstance(cp, TensorDict) and cp['a'] is d['a']
    assert d.attribute('ndim', -1) == {'a': 1, 'name': -1, 'b': 0}
    ap = TensorDict({'x': 2, 'y': 3}).apply(lambda v, k: v * k, 10)
    assert ap == {'x': 20, 'y': 30} and isinstance(ap, TensorDict)
    dc = copy.deepcopy(d)
    assert isinstance(dc, TensorDict) and dc['a'] is not d['a'] and torch.equal(dc['a'], d['a'])
    assert not hasattr(d, '__torch_function__')
    with pytest.raises(AttributeError):
        _ = d.not_a_tensor_method
    p = pickle.loads(pickle.dumps(d))
    assert isinstance(p, TensorDict) and p['name'] == 'seq'


def test_nested_lists_and_integer_like_indices():
    import numpy as np
    inner = tl([1.], [2.])
    nested = TensorList([inner, torch.tensor([3.], dtype=torch.float64)])
    out = nested * 2 + 1
    assert isinstance(out[0], TensorList)
    assert torch.equal(out[0][1], torch.tensor([5.], dtype=torch.float64)) and out[1].item() == 7.
    sq = nested.pow(2)
    assert isinstance(sq[0], TensorList) and sq[0][1].item() == 4. and sq[1].item() == 9.
    assert nested[np.int64(1)] is nested[1]
    assert nested[torch.tensor(0)] is inner
