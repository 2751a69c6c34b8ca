"""Helpers shared by the dataset loaders: checking the configured root and building frame lists."""
import json
import os

import numpy as np

from pytracking.evaluation.data import Sequence
from pytracking.utils.load_text import load_text

_ATTRIBUTE_SPEC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'dataset_attribute_specs')


def require_dataset_root(settings, attr):
    """Return `settings.<attr>`, or raise a clear error if it is unset or not a folder."""
    path = getattr(settings, attr, '')
    hint = ('set it in pytracking/evaluation/local.py or with the environment variable PYTRACKING_{}'
            .format(attr.upper()))
    if not path:
        raise RuntimeError('Dataset root {} is not set: {}.'.format(attr, hint))
    if not os.path.isdir(path):
        raise FileNotFoundError('Dataset root {} = {!r} is not a folder: {}.'.format(attr, path, hint))
    return path


def frames_in_range(base_path, seq_path, start_frame, end_frame, nz, ext):
    """Frame paths `{base}/{seq_path}/{n:0{nz}d}.{ext}` for n = start..end (inclusive)."""
    return ['{base}/{seq}/{n:0{nz}d}.{ext}'.format(base=base_path, seq=seq_path, n=n, nz=nz, ext=ext)
            for n in range(start_frame, end_frame + 1)]


def sorted_frames_by_int(frames_dir, ext='.jpg'):
    """All `*{ext}` files in `frames_dir`, sorted by their integer file name (GOT-10k, TrackingNet)."""
    if not os.path.isdir(frames_dir):
        raise FileNotFoundError('Frame folder {} does not exist'.format(frames_dir))
    names = [f for f in os.listdir(frames_dir) if f.endswith(ext)]
    names.sort(key=lambda f: int(f[:-len(ext)]))
    return [os.path.join(frames_dir, f) for f in names]


def sequence_from_info(base_path, info, dataset, delimiter, object_class=None):
    """A Sequence from one entry of the JSON sequence lists (OTB/NFS/UAV): frames start..end, with the
    first `initOmit` frames and ground-truth rows dropped."""
    init_omit = info.get('initOmit', 0)
    frames = frames_in_range(base_path, info['path'], info['startFrame'] + init_omit, info['endFrame'],
                             info['nz'], info['ext'])
    anno_path = '{}/{}'.format(base_path, info['anno_path'])
    ground_truth_rect = load_text(anno_path, delimiter=delimiter, dtype=np.float64, backend='numpy')
    return Sequence(info['name'], frames, dataset, ground_truth_rect[init_omit:, :],
                    object_class=info.get('object_class', object_class))


def load_attribute_spec(dataset_name):
    """Attribute spec `dataset_attribute_specs/{name}_attributes.json`:
    {'att_name_short': [...], 'att_name_long': [...], '<seq name>': [short attribute names], ...}."""
    path = os.path.join(_ATTRIBUTE_SPEC_DIR, '{}_attributes.json'.format(dataset_name))
    if not os.path.isfile(path):
        raise FileNotFoundError('Attribute filtering for {} needs {} (not shipped with this repository; '
                                'provide it in the format described in pytracking/evaluation/_common.py)'
                                .format(dataset_name, path))
    with open(path) as f:
        return json.load(f)


def filter_by_attribute(seq_names_or_infos, att_dict, attribute):
    """Keep sequences whose attribute list in `att_dict` contains `attribute`."""
    if attribute not in att_dict.get('att_name_short', []) and attribute not in att_dict.get('att_name_long', []):
        raise ValueError('Unknown attribute {!r}; known: {}'.format(attribute, att_dict.get('att_name_short')))
    if attribute in att_dict.get('att_name_long', []):
        attribute = att_dict['att_name_short'][att_dict['att_name_long'].index(attribute)]
    out = []
    for s in seq_names_or_infos:
        name = s['name'] if isinstance(s, dict) else s
        if attribute in att_dict.get(name, []):
            out.append(s)
    return out


def attribute_names(att_dict, mode='short'):
    if mode == 'short':
        return att_dict['att_name_short']
    elif mode == 'long':
        return att_dict['att_name_long']
    raise ValueError("mode must be 'short' or 'long', got {!r}".format(mode))
