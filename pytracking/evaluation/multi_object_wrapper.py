"""Run one single-object tracker per target and merge their outputs into {obj_id: value} dicts.

Used for trackers with `multiobj_mode = 'parallel'` (ATOM) on video/webcam input and on multi-object
sequences. `fast_load` builds (and initialises the features of) one tracker up front and deep-copies it for
each new target.
"""
import copy
import time
from collections import OrderedDict

import numpy as np

from pytracking.tracker.base.basetracker import draw_tracking_in_visdom


class MultiObjectWrapper:
    def __init__(self, base_tracker_class, params, visdom=None, fast_load=False, frame_reader=None):
        self.base_tracker_class = base_tracker_class
        self.params = params
        self.visdom = visdom
        self.frame_reader = frame_reader
        self.initialized_ids = []
        self.trackers = OrderedDict()
        self.fast_load = fast_load
        if self.fast_load:
            self.tracker_copy = self.base_tracker_class(self.params)
            if hasattr(self.tracker_copy, 'initialize_features'):
                self.tracker_copy.initialize_features()

    def create_tracker(self):
        tracker = None
        if self.fast_load:
            try:
                tracker = copy.deepcopy(self.tracker_copy)
            except Exception:  # some trackers hold objects that cannot be copied: build a fresh one
                tracker = None
        if tracker is None:
            tracker = self.base_tracker_class(self.params)
        tracker.visdom = self.visdom
        return tracker

    def _split_info(self, info):
        """Per-object init info from the joint info dict."""
        info_split = OrderedDict()
        for obj_id in info['init_object_ids']:
            obj_info = {'object_ids': [obj_id], 'sequence_object_ids': info.get('sequence_object_ids', [obj_id])}
            if 'init_bbox' in info:
                obj_info['init_bbox'] = info['init_bbox'][obj_id]
            if info.get('init_mask') is not None:
                obj_info['init_mask'] = (info['init_mask'] == int(obj_id)).astype(np.uint8)
            info_split[obj_id] = obj_info
        return info_split

    @staticmethod
    def _set_defaults(tracker_out, defaults=None):
        for key, val in (defaults or {}).items():
            if tracker_out.get(key) is None:
                tracker_out[key] = val
        return tracker_out

    def default_merge(self, out_all):
        out_merged = OrderedDict()
        if not out_all:
            return out_merged
        out_first = next(iter(out_all.values()))
        for key in out_first.keys():
            if key == 'segmentation':
                if out_first['segmentation'] is None:
                    continue
                # Later objects overwrite earlier ones where masks overlap.
                merged = np.zeros_like(out_first['segmentation'], dtype=np.uint8)
                for obj_id, out in out_all.items():
                    merged[out['segmentation'] > 0.5] = int(obj_id)
                out_merged['segmentation'] = merged
            else:
                out_merged[key] = {obj_id: out[key] for obj_id, out in out_all.items()}
        return out_merged

    def merge_outputs(self, out_all):
        if hasattr(self.base_tracker_class, 'merge_results'):
            return self.base_tracker_class.merge_results(out_all)
        return self.default_merge(out_all)

    def _init_object(self, obj_id, image, obj_info):
        start_time = time.perf_counter()
        out = self.trackers[obj_id].initialize(image, obj_info) or {}
        return self._set_defaults(out, {'target_bbox': obj_info.get('init_bbox'),
                                        'time': time.perf_counter() - start_time,
                                        'segmentation': obj_info.get('init_mask')})

    def initialize(self, image, info: dict) -> dict:
        self.initialized_ids = []
        self.trackers = OrderedDict()
        if len(info['init_object_ids']) == 0:
            return None
        init_info_split = self._split_info(info)
        self.trackers = OrderedDict((obj_id, self.create_tracker()) for obj_id in info['object_ids'])
        out_all = OrderedDict((obj_id, self._init_object(obj_id, image, init_info_split[obj_id]))
                              for obj_id in info['init_object_ids'])
        self.initialized_ids = list(info['init_object_ids'])
        return self.merge_outputs(out_all)

    def track(self, image, info: dict = None) -> dict:
        if info is None:
            info = {}
        out_all = OrderedDict()
        for obj_id in self.initialized_ids:
            start_time = time.perf_counter()
            out = self.trackers[obj_id].track(image, info)
            out_all[obj_id] = self._set_defaults(out, {'time': time.perf_counter() - start_time})

        if info.get('init_object_ids'):
            init_info_split = self._split_info(info)
            for obj_id, obj_info in init_info_split.items():
                obj_info['previous_output'] = info.get('previous_output', OrderedDict())
                if obj_id not in self.trackers:
                    self.trackers[obj_id] = self.create_tracker()
                out_all[obj_id] = self._init_object(obj_id, image, obj_info)
            self.initialized_ids.extend(info['init_object_ids'])
        return self.merge_outputs(out_all)

    def visdom_draw_tracking(self, image, box, segmentation=None):
        draw_tracking_in_visdom(self.visdom, image, box, segmentation)
