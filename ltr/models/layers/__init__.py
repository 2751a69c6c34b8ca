"""Network layers. `PrRoIPool2D` / `prroi_pool2d` are re-exported lazily (from ltr.ops.prroi_pool) so that
importing e.g. `ltr.models.layers.activation` never needs the pooling op."""


def __getattr__(name):
    if name in ('PrRoIPool2D', 'prroi_pool2d'):
        from ltr.ops import prroi_pool
        return getattr(prroi_pool, name)
    raise AttributeError('module {!r} has no attribute {!r}'.format(__name__, name))
