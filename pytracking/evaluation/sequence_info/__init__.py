"""Sequence lists of the benchmarks with hard-coded frame ranges (OTB-100, NFS, UAV123), stored as JSON data.

Each entry: name, path (relative to the dataset root), startFrame, endFrame (inclusive), nz (zero padding of
the frame number), ext, anno_path, object_class and optionally initOmit (frames skipped at the start).
"""
import json
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def load_sequence_info(dataset_name):
    """Return the list of sequence-info dicts of `dataset_name` ('otb', 'nfs' or 'uav')."""
    path = os.path.join(_HERE, dataset_name + '.json')
    if not os.path.isfile(path):
        raise FileNotFoundError('No sequence list for dataset {!r}: {} does not exist'.format(dataset_name, path))
    with open(path) as f:
        return json.load(f)
