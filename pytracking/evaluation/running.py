"""Run trackers over datasets and save results in pytracking's format.

Files per sequence, in `tracker.results_dir`:
- `{seq}.txt`: boxes x,y,w,h, truncated to int (`astype(int)`, as pytracking; the published numbers use
  these), tab-separated, one row per frame, frame 0 = the init box;
- `{seq}_time.txt`: seconds per frame (`%f`; frame 0 includes initialisation);
- `{seq}_object_presence_scores.txt` (`%f`) when the tracker reports it;
- multi-object sequences: `{seq}_{obj_id}.txt` and `{seq}_{obj_id}_time.txt`.

Differences from pytracking (which prints an exception and carries on, and writes files in place):
- every file is written atomically, and the box file (the "done" marker) last, so a killed run never
  leaves a truncated file; an existing box file whose row count does not match the sequence is not taken as
  done but rerun;
- a failing sequence is reported with its traceback and listed in a summary at the end; `run_dataset`
  returns the failures so the scripts exit non-zero;
- a tqdm progress bar over (sequence, tracker) pairs.
"""
import multiprocessing
import os
import sys
import traceback
from collections import OrderedDict, namedtuple
from itertools import product

import numpy as np

from ltr.admin.atomic_io import atomic_savetxt
from ltr.admin.loading import DamagedCheckpointError, UnsafeCheckpointError

# pytracking forces 'spawn' (fresh process, fresh RNG and CUDA context per worker). Tests may set 'fork'.
START_METHOD = 'spawn'

SequenceResult = namedtuple('SequenceResult', ['sequence', 'tracker', 'status', 'fps', 'error'])
# status: 'done' (ran and saved), 'skipped' (results existed), 'failed' (exception; `error` holds the traceback)


def _tracker_label(tracker):
    run = '' if tracker.run_id is None else ' {:03d}'.format(tracker.run_id)
    return '{} {}{}'.format(tracker.name, tracker.parameter_name, run)


def _box_file_complete(path, num_frames):
    """A result box file counts as done only if it parses and has one row of 4 values per frame."""
    try:
        boxes = np.loadtxt(path, delimiter='\t', ndmin=2)
    except (ValueError, OSError):
        return False
    return boxes.shape == (num_frames, 4)


def _results_exist(seq, tracker):
    base_results_path = os.path.join(tracker.results_dir, seq.name)
    n = len(seq.frames)
    if seq.object_ids is None:
        return _box_file_complete('{}.txt'.format(base_results_path), n)
    return all(_box_file_complete('{}_{}.txt'.format(base_results_path, obj_id), n) for obj_id in seq.object_ids)


def _save_tracker_output(seq, tracker, output: dict):
    """Save a tracker's outputs for one sequence (see module docstring for the files)."""
    os.makedirs(tracker.results_dir, exist_ok=True)
    base_results_path = os.path.join(tracker.results_dir, seq.name)
    frame_names = [os.path.splitext(os.path.basename(f))[0] for f in seq.frames]

    def save_bb(file, data):
        atomic_savetxt(file, np.array(data).astype(int), delimiter='\t', fmt='%d')

    def save_time(file, data):
        atomic_savetxt(file, np.array(data).astype(float), delimiter='\t', fmt='%f')

    def save_score(file, data):
        atomic_savetxt(file, np.array(data).astype(float), delimiter='\t', fmt='%f')

    def _convert_dict(input_dict):
        data_dict = OrderedDict()
        for elem in input_dict:
            for k, v in elem.items():
                data_dict.setdefault(k, []).append(v)
        return data_dict

    # Box files last: their presence marks the sequence as done.
    keys = [k for k in output.keys() if k != 'target_bbox'] + (['target_bbox'] if 'target_bbox' in output else [])
    for key in keys:
        data = output[key]
        if data is None or (hasattr(data, '__len__') and len(data) == 0):
            continue
        if key == 'target_bbox':
            if isinstance(data[0], (dict, OrderedDict)):
                for obj_id, d in _convert_dict(data).items():
                    save_bb('{}_{}.txt'.format(base_results_path, obj_id), d)
            else:
                save_bb('{}.txt'.format(base_results_path), data)
        elif key == 'all_boxes':
            if not isinstance(data[0], (dict, OrderedDict)):
                atomic_savetxt('{}_all_boxes.txt'.format(base_results_path), np.array(data).astype(float),
                               delimiter='\t', fmt='%f')
        elif key == 'all_scores':
            if not isinstance(data[0], (dict, OrderedDict)):
                atomic_savetxt('{}_all_scores.txt'.format(base_results_path), np.array(data).astype(float),
                               delimiter='\t', fmt='%f')
        elif key == 'time':
            if isinstance(data[0], (dict, OrderedDict)):
                for obj_id, d in _convert_dict(data).items():
                    save_time('{}_{}_time.txt'.format(base_results_path, obj_id), d)
            else:
                save_time('{}_time.txt'.format(base_results_path), data)
        elif key == 'object_presence_score':
            if isinstance(data[0], (dict, OrderedDict)):
                for obj_id, d in _convert_dict(data).items():
                    save_score('{}_{}_object_presence_scores.txt'.format(base_results_path, obj_id), d)
            else:
                save_score('{}_object_presence_scores.txt'.format(base_results_path), data)
        elif key == 'segmentation':
            assert len(frame_names) == len(data)
            seg_dir = os.path.join(tracker.segmentation_dir, seq.name)
            os.makedirs(seg_dir, exist_ok=True)
            from PIL import Image

            from ltr.admin.atomic_io import atomic_open
            for frame_name, frame_seg in zip(frame_names, data):
                with atomic_open(os.path.join(seg_dir, '{}.png'.format(frame_name)), 'wb') as f:
                    Image.fromarray(np.asarray(frame_seg).astype(np.uint8)).save(f, format='PNG')


def _say(msg):
    try:
        from tqdm import tqdm
        tqdm.write(msg)
    except ImportError:
        print(msg)
    sys.stdout.flush()


# Failures reported in one line (their message names the file or argument); others with their traceback. The
# traceback is always kept in SequenceResult.error, and --debug raises.
_CLEAR_ERRORS = (FileNotFoundError, ValueError, DamagedCheckpointError, UnsafeCheckpointError)


def run_sequence(seq, tracker, debug=False, visdom_info=None):
    """Run `tracker` on `seq` and save the results, unless complete results already exist (and not debug).
    Returns a SequenceResult. With `debug`, exceptions propagate (as in pytracking)."""
    visdom_info = {} if visdom_info is None else visdom_info
    label = _tracker_label(tracker)
    if not debug and _results_exist(seq, tracker):
        _say('FPS: {}'.format(-1))
        return SequenceResult(seq.name, label, 'skipped', -1, None)

    _say('Tracker: {} ,  Sequence: {}'.format(label, seq.name))
    if debug:
        output = tracker.run_sequence(seq, debug=debug, visdom_info=visdom_info)
    else:
        try:
            output = tracker.run_sequence(seq, debug=debug, visdom_info=visdom_info)
        except Exception as e:
            error = traceback.format_exc()
            if isinstance(e, _CLEAR_ERRORS):   # a missing/damaged network, a bad init box: the message says it all
                _say('!!! Tracker {} failed on sequence {}: {}'.format(label, seq.name, e))
            else:
                _say('!!! Tracker {} failed on sequence {}:\n{}'.format(label, seq.name, error))
            return SequenceResult(seq.name, label, 'failed', None, error)

    times = output['time']
    if isinstance(times[0], (dict, OrderedDict)):
        exec_time = sum(sum(t.values()) for t in times)
    else:
        exec_time = sum(times)
    fps = len(times) / exec_time if exec_time > 0 else float('inf')
    _say('FPS: {}'.format(fps))

    if not debug:
        try:
            _save_tracker_output(seq, tracker, output)
        except Exception:
            error = traceback.format_exc()
            _say('!!! Saving results of {} on {} failed:\n{}'.format(label, seq.name, error))
            return SequenceResult(seq.name, label, 'failed', fps, error)
    return SequenceResult(seq.name, label, 'done', fps, None)


def _run_sequence_star(args):
    seq, tracker, debug, visdom_info = args
    try:
        return run_sequence(seq, tracker, debug, visdom_info)
    except Exception:  # debug mode in a worker: still report instead of killing the pool
        return SequenceResult(seq.name, _tracker_label(tracker), 'failed', None, traceback.format_exc())


def _init_worker(num_threads):
    if num_threads is not None:
        import torch
        torch.set_num_threads(num_threads)


def print_run_summary(results):
    done = sum(r.status == 'done' for r in results)
    skipped = sum(r.status == 'skipped' for r in results)
    failed = [r for r in results if r.status == 'failed']
    print('Summary: {} run, {} skipped (results existed), {} failed'.format(done, skipped, len(failed)))
    for r in failed:
        last_line = r.error.strip().splitlines()[-1] if r.error else ''
        print('  FAILED  {:<30s} {:<20s} {}'.format(r.tracker, r.sequence, last_line))


def run_dataset(dataset, trackers, debug=False, threads=0, visdom_info=None):
    """Run every tracker on every sequence of `dataset`; `threads` > 0 uses a process pool of that size.

    Returns the list of failed `SequenceResult`s (empty when everything ran or was already done).
    """
    print('Evaluating {:4d} trackers on {:5d} sequences'.format(len(trackers), len(dataset)))
    visdom_info = {} if visdom_info is None else visdom_info
    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None

    jobs = [(seq, tracker_info, debug, visdom_info) for seq, tracker_info in product(dataset, trackers)]
    bar = tqdm(total=len(jobs), desc='Sequences', unit='seq', file=sys.stdout) if tqdm is not None else None
    results = []

    def _collect(res):
        results.append(res)
        if bar is not None:
            bar.update(1)

    try:
        if threads == 0:
            for job in jobs:
                _collect(run_sequence(*job))
        else:
            # Each worker would use torch's default thread count (all cores), as in pytracking; on a CPU-only
            # machine that oversubscribes the cores `threads`-fold (10x slower seen on 2 cores). Unless the user
            # set OMP_NUM_THREADS, give each worker its share of the cores. (ATOM's numbers depend slightly on
            # the thread count: set OMP_NUM_THREADS to pin it.)
            per_worker = None
            if 'OMP_NUM_THREADS' not in os.environ:
                per_worker = max(1, (os.cpu_count() or 1) // threads)
                print('Using {} torch thread(s) per worker ({} workers); set OMP_NUM_THREADS to '
                      'override.'.format(per_worker, threads))
            ctx = multiprocessing.get_context(START_METHOD)
            with ctx.Pool(processes=threads, initializer=_init_worker, initargs=(per_worker,)) as pool:
                for res in pool.imap_unordered(_run_sequence_star, jobs):
                    _collect(res)
    finally:
        if bar is not None:
            bar.close()

    print_run_summary(results)
    print('Done')
    return [r for r in results if r.status == 'failed']
