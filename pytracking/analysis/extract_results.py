"""Per-frame errors and per-sequence success / precision curves of tracking results (pytracking conventions).

Conventions (all as pytracking, so numbers are comparable to published ones):
1. Result files are read with delimiter tab, then comma.
2. The first frame is counted: its prediction is replaced by the ground truth (IoU 1, centre error 0).
3. IoU uses pixel-inclusive boxes (br = xy + wh - 1, intersection side = br - tl + 1, clamped at 0). The +1/-1
   cancel, so this equals the continuous IoU of [x, y, w, h] boxes.
4. Box centre = xy + (wh - 1)/2; centre error is Euclidean; the normalized error divides both centres by the
   ground-truth wh first.
5. A frame is valid only if all four ground-truth values (x and y included) are > 0 (and, for LaSOT, the target
   is visible). Invalid frames get overlap -1, centre error +inf (-1 on UAV) and normalized error -1. On LaSOT,
   frames with an invisible target get +inf centre and normalized error.
6. Curves are fractions of ALL frames (unless `exclude_invalid_frames`), so invalid frames count as failures for
   success/AUC (overlap -1 is never > threshold) and for precision (+inf), but as successes for normalized
   precision (-1 <= threshold) except on LaSOT; on UAV also for precision.
7. Thresholds: overlap `torch.arange(0, 1 + gap, gap)` in float64 (21 values for gap 0.05, e.g.
   0.15000000000000002), success is strict `>`; centre 0..50 px and normalized 0..0.50 step 0.01, `<=`.
8. Predictions with zero width or height copy the previous prediction; a prediction longer than the ground
   truth is truncated, a shorter one padded with zeros (LaSOT: shorter raises). Ours: extract_results refuses a
   result file shorter than the ground truth (a truncated file must not be scored silently) unless
   `allow_short_results=True`; an empty, garbled or not-4-column file raises ValueError naming it.
9. `avg_overlap_all` (per sequence and tracker) is the mean overlap over valid frames.

The result is cached as `{result_plot_path}/{report_name}/eval_data.pkl` (curves, as pytracking) and
`eval_data_per_frame.npz` (ours: per-frame overlaps, centre errors and normalized centre errors).
"""
import io
import os
import pickle
import warnings

import numpy as np
import torch

from pytracking.evaluation.environment import env_settings
from pytracking.utils.load_text import load_text


def calc_err_center(pred_bb, anno_bb, normalized=False):
    pred_center = pred_bb[:, :2] + 0.5 * (pred_bb[:, 2:] - 1.0)
    anno_center = anno_bb[:, :2] + 0.5 * (anno_bb[:, 2:] - 1.0)
    if normalized:
        pred_center = pred_center / anno_bb[:, 2:]
        anno_center = anno_center / anno_bb[:, 2:]
    return ((pred_center - anno_center) ** 2).sum(1).sqrt()


def calc_iou_overlap(pred_bb, anno_bb):
    tl = torch.max(pred_bb[:, :2], anno_bb[:, :2])
    br = torch.min(pred_bb[:, :2] + pred_bb[:, 2:] - 1.0, anno_bb[:, :2] + anno_bb[:, 2:] - 1.0)
    sz = (br - tl + 1.0).clamp(0)
    intersection = sz.prod(dim=1)
    union = pred_bb[:, 2:].prod(dim=1) + anno_bb[:, 2:].prod(dim=1) - intersection
    return intersection / union


def calc_seq_err_robust(pred_bb, anno_bb, dataset, target_visible=None):
    """Per-frame overlap, centre error, normalized centre error and validity of one sequence (see module doc)."""
    pred_bb = pred_bb.clone()
    if torch.isnan(pred_bb).any() or (pred_bb[:, 2:] < 0.0).any():
        raise ValueError('Invalid results: NaN or negative width/height in the predictions')
    if torch.isnan(anno_bb).any() and dataset != 'uav':
        raise ValueError('NaNs in the annotation (only allowed for UAV)')

    if (pred_bb[:, 2:] == 0.0).any():
        for i in range(1, pred_bb.shape[0]):
            if (pred_bb[i, 2:] == 0.0).any() and i < anno_bb.shape[0] and not torch.isnan(anno_bb[i, :]).any():
                pred_bb[i, :] = pred_bb[i - 1, :]

    if pred_bb.shape[0] != anno_bb.shape[0]:
        if pred_bb.shape[0] > anno_bb.shape[0]:
            pred_bb = pred_bb[:anno_bb.shape[0], :]
        elif dataset == 'lasot':
            raise ValueError('Mis-match in tracker prediction ({}) and GT ({}) lengths'
                             .format(pred_bb.shape[0], anno_bb.shape[0]))
        else:
            pad = torch.zeros((anno_bb.shape[0] - pred_bb.shape[0], 4)).type_as(pred_bb)
            pred_bb = torch.cat((pred_bb, pad), dim=0)

    pred_bb[0, :] = anno_bb[0, :]

    valid = (anno_bb > 0.0).sum(1) == 4
    if target_visible is not None:
        target_visible = target_visible.bool()
        valid = valid & target_visible

    err_center = calc_err_center(pred_bb, anno_bb)
    err_center_normalized = calc_err_center(pred_bb, anno_bb, normalized=True)
    err_overlap = calc_iou_overlap(pred_bb, anno_bb)

    if dataset in ['uav']:
        err_center[~valid] = -1.0
    else:
        err_center[~valid] = float('Inf')
    err_center_normalized[~valid] = -1.0
    err_overlap[~valid] = -1.0

    if dataset == 'lasot' and target_visible is not None:
        err_center_normalized[~target_visible] = float('Inf')
        err_center[~target_visible] = float('Inf')

    if torch.isnan(err_overlap).any():
        raise ValueError('NaNs in the calculated overlap')
    return err_overlap, err_center, err_center_normalized, valid


def load_result_boxes(results_path):
    """The N x 4 boxes of a result file; ValueError naming the file if it is empty, garbled or not 4 columns."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)   # numpy's "input contained no data": reported below
        boxes = load_text(str(results_path), delimiter=('\t', ','), dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[0] == 0 or boxes.shape[1] != 4:
        raise ValueError('Result file {} is damaged: expected rows of 4 values (x, y, w, h), got an array of shape {} '
                         '(rerun the tracker: run_tracker.py recomputes files that are not complete)'.format(
                             results_path, tuple(boxes.shape)))
    return torch.tensor(boxes)


def _progress(iterable, verbose):
    if not verbose:
        return iterable
    try:
        from tqdm import tqdm
        return tqdm(iterable)
    except ImportError:
        return iterable


def extract_results(trackers, dataset, report_name, skip_missing_seq=False, plot_bin_gap=0.05,
                    exclude_invalid_frames=False, verbose=True, allow_short_results=False):
    """Compute and cache the success / precision / normalized precision curves of every (sequence, tracker).

    A missing result file raises, unless `skip_missing_seq`, which marks that sequence invalid for all trackers.
    Returns the eval_data dict (also saved as `{result_plot_path}/{report_name}/eval_data.pkl`).
    """
    from ltr.admin.atomic_io import atomic_open

    settings = env_settings()
    result_plot_path = os.path.join(settings.result_plot_path, report_name)
    os.makedirs(result_plot_path, exist_ok=True)

    threshold_set_overlap = torch.arange(0.0, 1.0 + plot_bin_gap, plot_bin_gap, dtype=torch.float64)
    threshold_set_center = torch.arange(0, 51, dtype=torch.float64)
    threshold_set_center_norm = torch.arange(0, 51, dtype=torch.float64) / 100.0

    n_seq, n_trk = len(dataset), len(trackers)
    avg_overlap_all = torch.zeros((n_seq, n_trk), dtype=torch.float64)
    ave_success_rate_plot_overlap = torch.zeros((n_seq, n_trk, threshold_set_overlap.numel()), dtype=torch.float32)
    ave_success_rate_plot_center = torch.zeros((n_seq, n_trk, threshold_set_center.numel()), dtype=torch.float32)
    ave_success_rate_plot_center_norm = torch.zeros((n_seq, n_trk, threshold_set_center.numel()), dtype=torch.float32)
    valid_sequence = torch.ones(n_seq, dtype=torch.uint8)
    per_frame = {}  # 'overlap/<seq_id>/<trk_id>' -> array

    for seq_id, seq in enumerate(_progress(dataset, verbose)):
        anno_bb = torch.tensor(np.asarray(seq.ground_truth_rect, dtype=np.float64))
        target_visible = (torch.tensor(np.asarray(seq.target_visible), dtype=torch.uint8)
                          if seq.target_visible is not None else None)
        for trk_id, trk in enumerate(trackers):
            results_path = '{}/{}.txt'.format(trk.results_dir, seq.name)
            if os.path.isfile(results_path):
                pred_bb = load_result_boxes(results_path)
            elif skip_missing_seq:
                valid_sequence[seq_id] = 0
                break
            else:
                raise FileNotFoundError('Result not found: {} (run the tracker first, or pass '
                                        'skip_missing_seq=True)'.format(results_path))

            if pred_bb.shape[0] < anno_bb.shape[0] and not allow_short_results:
                raise ValueError('Result file {} has {} boxes for the {} frames of sequence {}: truncated (e.g. by a '
                                 'killed run). Rerun the tracker (run_tracker.py recomputes it), or pass '
                                 'allow_short_results=True to score it padded with empty boxes as pytracking does.'
                                 .format(results_path, pred_bb.shape[0], anno_bb.shape[0], seq.name))
            try:
                err_overlap, err_center, err_center_normalized, valid_frame = calc_seq_err_robust(
                    pred_bb, anno_bb, seq.dataset, target_visible)
            except ValueError as e:
                raise ValueError('{} on sequence {}: {}'.format(results_path, seq.name, e)) from e

            avg_overlap_all[seq_id, trk_id] = err_overlap[valid_frame].mean()
            seq_length = valid_frame.long().sum() if exclude_invalid_frames else anno_bb.shape[0]
            if seq_length <= 0:
                raise ValueError('Sequence {} has length zero (no valid frames)'.format(seq.name))

            ave_success_rate_plot_overlap[seq_id, trk_id, :] = \
                (err_overlap.view(-1, 1) > threshold_set_overlap.view(1, -1)).sum(0).float() / seq_length
            ave_success_rate_plot_center[seq_id, trk_id, :] = \
                (err_center.view(-1, 1) <= threshold_set_center.view(1, -1)).sum(0).float() / seq_length
            ave_success_rate_plot_center_norm[seq_id, trk_id, :] = \
                (err_center_normalized.view(-1, 1) <= threshold_set_center_norm.view(1, -1)).sum(0).float() / seq_length
            per_frame['overlap/{}/{}'.format(seq_id, trk_id)] = err_overlap.numpy()
            per_frame['center/{}/{}'.format(seq_id, trk_id)] = err_center.numpy()
            per_frame['center_norm/{}/{}'.format(seq_id, trk_id)] = err_center_normalized.numpy()
            per_frame['valid/{}/{}'.format(seq_id, trk_id)] = valid_frame.numpy()

    if verbose:
        print('\n\nComputed results over {} / {} sequences'.format(valid_sequence.long().sum().item(),
                                                                  valid_sequence.shape[0]))

    eval_data = {'sequences': [s.name for s in dataset],
                 'trackers': [{'name': t.name, 'param': t.parameter_name, 'run_id': t.run_id,
                               'disp_name': t.display_name} for t in trackers],
                 'valid_sequence': valid_sequence.tolist(),
                 'ave_success_rate_plot_overlap': ave_success_rate_plot_overlap.tolist(),
                 'ave_success_rate_plot_center': ave_success_rate_plot_center.tolist(),
                 'ave_success_rate_plot_center_norm': ave_success_rate_plot_center_norm.tolist(),
                 'avg_overlap_all': avg_overlap_all.tolist(),
                 'threshold_set_overlap': threshold_set_overlap.tolist(),
                 'threshold_set_center': threshold_set_center.tolist(),
                 'threshold_set_center_norm': threshold_set_center_norm.tolist()}

    with atomic_open(os.path.join(result_plot_path, 'eval_data.pkl'), 'wb') as fh:
        pickle.dump(eval_data, fh)
    buf = io.BytesIO()
    np.savez_compressed(buf, sequences=np.array(eval_data['sequences']), **per_frame)
    with atomic_open(os.path.join(result_plot_path, 'eval_data_per_frame.npz'), 'wb') as fh:
        fh.write(buf.getvalue())
    return eval_data


def load_per_frame_errors(report_name):
    """Per-frame errors saved by `extract_results`: dict with keys 'overlap', 'center', 'center_norm', 'valid',
    each mapping (sequence index, tracker index) -> array."""
    path = os.path.join(env_settings().result_plot_path, report_name, 'eval_data_per_frame.npz')
    out = {'overlap': {}, 'center': {}, 'center_norm': {}, 'valid': {}}
    with np.load(path, allow_pickle=False) as data:
        for key in data.files:
            if key == 'sequences':
                out['sequences'] = data[key].tolist()
                continue
            kind, s, t = key.split('/')
            out[kind][(int(s), int(t))] = data[key]
    return out


def extract_results_prec_rec_f1(trackers, dataset, report_name, skip_missing_seq=False, plot_bin_gap=0.05,
                                exclude_invalid_frames=False, verbose=True, anno_period=1, **kwargs):
    """OxUvA-style presence precision/recall/F1: not used by ATOM (which reports no presence per frame)."""
    raise NotImplementedError('extract_results_prec_rec_f1 (OxUvA-style presence evaluation) is not '
                              'implemented in this re-implementation')


def extract_timings(trackers, dataset, valid_sequence=None, include_init=False):
    """Frames and seconds of tracking per tracker, summed over the sequences, from `{seq}_time.txt`.

    running.py writes one time per frame; frame 0's time is the initialisation (for ATOM it includes building
    the network on the first sequence, feature extraction, augmentation and the filter optimisation). With
    `include_init=False` (the default) frame 0 is left out: the numbers measure the per-frame tracking speed.
    Only sequences with `valid_sequence` true count (all when None), so the FPS is taken over the same sequences
    as the scores. Returns (frames, seconds) as float64 arrays of length len(trackers); a tracker with a missing
    time file on a counted sequence gets NaN for both (its FPS is unknown, not zero).
    """
    n_trk = len(trackers)
    frames = np.zeros(n_trk, dtype=np.float64)
    seconds = np.zeros(n_trk, dtype=np.float64)
    first = 0 if include_init else 1
    for seq_id, seq in enumerate(dataset):
        if valid_sequence is not None and not valid_sequence[seq_id]:
            continue
        for trk_id, trk in enumerate(trackers):
            time_path = os.path.join(trk.results_dir, '{}_time.txt'.format(seq.name))
            if not os.path.isfile(time_path):
                frames[trk_id] = seconds[trk_id] = np.nan
                continue
            times = load_text(time_path, delimiter=('\t', ','), dtype=np.float64).reshape(-1)
            frames[trk_id] += max(0, times.size - first)
            seconds[trk_id] += times[first:].sum()
    return frames, seconds
