"""Registry of evaluation datasets: `get_dataset('otb', 'nfs')` returns one concatenated SequenceList."""
import importlib
from collections import namedtuple

from pytracking.evaluation.data import SequenceList

DatasetInfo = namedtuple('DatasetInfo', ['module', 'class_name', 'kwargs'])

pt = 'pytracking.evaluation.%sdataset'  # module path pattern

dataset_dict = dict(
    otb=DatasetInfo(module=pt % 'otb', class_name='OTBDataset', kwargs=dict()),
    nfs=DatasetInfo(module=pt % 'nfs', class_name='NFSDataset', kwargs=dict()),
    uav=DatasetInfo(module=pt % 'uav', class_name='UAVDataset', kwargs=dict()),
    tpl=DatasetInfo(module=pt % 'tpl', class_name='TPLDataset', kwargs=dict()),
    tpl_nootb=DatasetInfo(module=pt % 'tpl', class_name='TPLDataset', kwargs=dict(exclude_otb=True)),
    vot=DatasetInfo(module=pt % 'vot', class_name='VOTDataset', kwargs=dict()),
    trackingnet=DatasetInfo(module=pt % 'trackingnet', class_name='TrackingNetDataset', kwargs=dict()),
    got10k_test=DatasetInfo(module=pt % 'got10k', class_name='GOT10KDataset', kwargs=dict(split='test')),
    got10k_val=DatasetInfo(module=pt % 'got10k', class_name='GOT10KDataset', kwargs=dict(split='val')),
    got10k_ltrval=DatasetInfo(module=pt % 'got10k', class_name='GOT10KDataset', kwargs=dict(split='ltrval')),
    lasot=DatasetInfo(module=pt % 'lasot', class_name='LaSOTDataset', kwargs=dict()),
    lasot_train=DatasetInfo(module=pt % 'lasot', class_name='LaSOTTrainSequencesDataset', kwargs=dict()),
    # Ours: the embedded OTB-format demo sequences.
    demo=DatasetInfo(module=pt % 'demo', class_name='DemoDataset', kwargs=dict()),
    # Ours: the real-footage part of the demo (real photos filmed by a virtual hand-held camera).
    demo_real=DatasetInfo(module=pt % 'demo', class_name='DemoDataset', kwargs=dict(subset='real')),
)


def _make_dataset(name, **kwargs):
    name = name.lower()
    info = dataset_dict.get(name)
    if info is None:
        raise ValueError('Unknown dataset {!r}; known datasets: {}'.format(name, ', '.join(sorted(dataset_dict))))
    m = importlib.import_module(info.module)
    return getattr(m, info.class_name)(**info.kwargs, **kwargs)


def load_dataset(name: str, **kwargs):
    """Import and load the SequenceList of one dataset."""
    return _make_dataset(name, **kwargs).get_sequence_list()


def get_dataset(*args, **kwargs):
    """All sequences of the named datasets, concatenated."""
    dset = SequenceList()
    for name in args:
        dset.extend(load_dataset(name, **kwargs))
    return dset


def get_dataset_attributes(name, mode='short', **kwargs):
    """Attribute names of a dataset that supports attribute filtering (otb, uav, lasot)."""
    dset = _make_dataset(name, **kwargs)
    if not hasattr(dset, 'get_attribute_names'):
        raise ValueError('Dataset {!r} has no attributes'.format(name))
    return dset.get_attribute_names(mode)
