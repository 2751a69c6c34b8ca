"""Success / precision / normalized precision plots and result tables (pytracking conventions).

Scores (see extract_results.py for the per-frame conventions):
- curves are averaged over valid sequences with equal weight per sequence, x 100;
- AUC = mean of the success curve over its 21 overlap thresholds (0, 0.05, ..., 1);
- OP50 / OP75 = success curve at overlap thresholds 0.50 / 0.75 (strict `>`);
- Precision = precision curve at 20 px; Norm Precision = normalized precision curve at 0.20;
- `merge_results=True` averages the curves of runs with the same tracker name and parameter (run ids);
- FPS (only with `print_results(..., fps=True)`, not in pytracking's table) = frames / tracking seconds, both
  summed over the scored sequences from the `{seq}_time.txt` files, with the initialisation frame (frame 0)
  EXCLUDED: it measures the speed of `track()`, not the one-off set-up (ATOM's first initialize also builds its
  network). Merged runs: frames and seconds summed over the runs. A missing time file gives NaN.

Plots are written with matplotlib (Agg backend when no display) as PNG and PDF:
`{result_plot_path}/{report_name}/{success,precision,norm_precision}_plot.{png,pdf}` (no tikzplotlib).
"""
import os
import pickle

import numpy as np
import torch

from pytracking.analysis.extract_results import extract_results, extract_timings
from pytracking.evaluation.environment import env_settings


def _pyplot():
    import matplotlib
    if not os.environ.get('DISPLAY') and not os.environ.get('MPLBACKEND'):
        matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return matplotlib, plt


def get_plot_draw_styles():
    colors = [(0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (1.0, 0.0, 0.0), (0.0, 0.0, 0.0), (1.0, 0.0, 1.0),
              (0.0, 1.0, 1.0), (0.5, 0.5, 0.5), (136.0 / 255, 0.0, 21.0 / 255), (1.0, 127.0 / 255, 39.0 / 255),
              (0.0, 162.0 / 255, 232.0 / 255), (0.0, 0.5, 0.0), (1.0, 0.5, 0.2), (0.1, 0.4, 0.0),
              (0.6, 0.3, 0.9), (0.4, 0.7, 0.1), (0.2, 0.1, 0.4), (0.7, 0.6, 0.2)]
    return [{'color': c, 'line_style': '-' if i < 10 else '--'} for i, c in enumerate(colors)]


def check_eval_data_is_valid(eval_data, trackers, dataset):
    """The cached eval data is reusable if it was computed for the same sequences and trackers (in order)."""
    seq_names = [s.name for s in dataset]
    tracker_names = [(t.name, t.parameter_name, t.run_id) for t in trackers]
    tracker_names_saved = [(t['name'], t['param'], t['run_id']) for t in eval_data['trackers']]
    return seq_names == eval_data['sequences'] and tracker_names == tracker_names_saved


def merge_multiple_runs(eval_data):
    """Average the curves (and avg overlaps) of trackers with the same name and parameter, i.e. over run ids."""
    overlap = torch.tensor(eval_data['ave_success_rate_plot_overlap'])
    center = torch.tensor(eval_data['ave_success_rate_plot_center'])
    center_norm = torch.tensor(eval_data['ave_success_rate_plot_center_norm'])
    avg_overlap_all = torch.tensor(eval_data['avg_overlap_all'])
    trackers = eval_data['trackers']
    merged = [False] * len(trackers)
    new_trackers, o_m, c_m, cn_m, ao_m = [], [], [], [], []
    for i, base in enumerate(trackers):
        if merged[i]:
            continue
        match = torch.tensor([t['name'] == base['name'] and t['param'] == base['param'] for t in trackers])
        new_trackers.append(base)
        o_m.append(overlap[:, match, :].mean(1))
        c_m.append(center[:, match, :].mean(1))
        cn_m.append(center_norm[:, match, :].mean(1))
        ao_m.append(avg_overlap_all[:, match].mean(1))
        for j, m in enumerate(match.tolist()):
            merged[j] = merged[j] or m
    eval_data = dict(eval_data)
    eval_data['trackers'] = new_trackers
    eval_data['ave_success_rate_plot_overlap'] = torch.stack(o_m, dim=1).tolist()
    eval_data['ave_success_rate_plot_center'] = torch.stack(c_m, dim=1).tolist()
    eval_data['ave_success_rate_plot_center_norm'] = torch.stack(cn_m, dim=1).tolist()
    eval_data['avg_overlap_all'] = torch.stack(ao_m, dim=1).tolist()
    return eval_data


def get_tracker_display_name(tracker):
    if tracker['disp_name'] is not None:
        return tracker['disp_name']
    if tracker['run_id'] is None:
        return '{}_{}'.format(tracker['name'], tracker['param'])
    return '{}_{}_{:03d}'.format(tracker['name'], tracker['param'], tracker['run_id'])


def plot_draw_save(y, x, scores, trackers, plot_draw_styles, result_plot_path, plot_opts):
    """Draw one curve per tracker (legend `name [score]`, best first) and save it as PNG and PDF."""
    matplotlib, plt = _pyplot()
    font_size = plot_opts.get('font_size', 12)
    font_size_axis = plot_opts.get('font_size_axis', 13)
    line_width = plot_opts.get('line_width', 2)
    font_size_legend = plot_opts.get('font_size_legend', 13)
    plot_type = plot_opts['plot_type']

    matplotlib.rcParams.update({'font.size': font_size, 'axes.titlesize': font_size_axis,
                                'axes.titleweight': 'bold', 'axes.labelsize': font_size_axis})
    index_sort = torch.as_tensor(scores).argsort(descending=False)
    fig, ax = plt.subplots()
    plotted_lines, legend_text = [], []
    for rank, id_sort in enumerate(index_sort.tolist()):
        style = plot_draw_styles[(index_sort.numel() - rank - 1) % len(plot_draw_styles)]
        line = ax.plot(x.tolist(), y[id_sort, :].tolist(), linewidth=line_width, color=style['color'],
                       linestyle=style['line_style'])
        plotted_lines.append(line[0])
        legend_text.append('{} [{:.1f}]'.format(get_tracker_display_name(trackers[id_sort]), float(scores[id_sort])))
    ax.legend(plotted_lines[::-1], legend_text[::-1], loc=plot_opts['legend_loc'], fancybox=False,
              edgecolor='black', fontsize=font_size_legend, framealpha=1.0)
    ax.set(xlabel=plot_opts['xlabel'], ylabel=plot_opts['ylabel'], xlim=plot_opts['xlim'], ylim=plot_opts['ylim'],
           title=plot_opts['title'])
    ax.grid(True, linestyle='-.')
    fig.tight_layout()
    os.makedirs(result_plot_path, exist_ok=True)
    paths = []
    for ext in ('png', 'pdf'):
        path = '{}/{}_plot.{}'.format(result_plot_path, plot_type, ext)
        fig.savefig(path, dpi=300, format=ext, transparent=(ext == 'pdf'))
        paths.append(path)
    plt.close(fig)
    return paths


class _PlainDataUnpickler(pickle.Unpickler):
    """eval_data.pkl holds only dicts, lists, strings and numbers: refuse any class or function reference, so a
    planted or foreign pickle cannot run code when the cache is read."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError('eval_data.pkl may only hold plain data, found {}.{}'.format(module, name))


def check_and_load_precomputed_results(trackers, dataset, report_name, force_evaluation=False, f1_prec_rec=False,
                                       **kwargs):
    """Load `eval_data.pkl` of the report if it matches the trackers and sequences, else (re)compute it."""
    if f1_prec_rec:
        raise NotImplementedError('f1_prec_rec evaluation is not implemented')
    settings = env_settings()
    eval_data_path = os.path.join(settings.result_plot_path, report_name, 'eval_data.pkl')
    eval_data = None
    if os.path.isfile(eval_data_path) and not force_evaluation:
        try:
            with open(eval_data_path, 'rb') as fh:
                eval_data = _PlainDataUnpickler(fh).load()
        except (pickle.UnpicklingError, EOFError, OSError):
            eval_data = None  # unreadable cache: recompute
    if eval_data is None or not check_eval_data_is_valid(eval_data, trackers, dataset):
        eval_data = extract_results(trackers, dataset, report_name, **kwargs)
    return eval_data


def get_auc_curve(ave_success_rate_plot_overlap, valid_sequence):
    ave_success_rate_plot_overlap = ave_success_rate_plot_overlap[valid_sequence, :, :]
    auc_curve = ave_success_rate_plot_overlap.mean(0) * 100.0
    auc = auc_curve.mean(-1)
    return auc_curve, auc


def get_prec_curve(ave_success_rate_plot_center, valid_sequence):
    ave_success_rate_plot_center = ave_success_rate_plot_center[valid_sequence, :, :]
    prec_curve = ave_success_rate_plot_center.mean(0) * 100.0
    prec_score = prec_curve[:, 20]
    return prec_curve, prec_score


def _threshold_index(thresholds, value):
    """Index of `value` in the float64 arange thresholds (0.75 is stored as 0.7500000000000001)."""
    return int(torch.argmin((torch.as_tensor(thresholds, dtype=torch.float64) - value).abs()))


def _plot_types(plot_types):
    # pytracking's default ('success') is a string, not a tuple; accept both.
    return (plot_types,) if isinstance(plot_types, str) else tuple(plot_types)


def compute_scores(eval_data, plot_types=('success', 'prec', 'norm_prec')):
    """Dict of score name -> tensor (one value per tracker): AUC, OP50, OP75, Precision, Norm Precision."""
    plot_types = _plot_types(plot_types)
    valid_sequence = torch.tensor(eval_data['valid_sequence'], dtype=torch.bool)
    scores = {}
    if 'success' in plot_types:
        thresholds = eval_data['threshold_set_overlap']
        auc_curve, auc = get_auc_curve(torch.tensor(eval_data['ave_success_rate_plot_overlap']), valid_sequence)
        scores['AUC'] = auc
        scores['OP50'] = auc_curve[:, _threshold_index(thresholds, 0.50)]
        scores['OP75'] = auc_curve[:, _threshold_index(thresholds, 0.75)]
    if 'prec' in plot_types:
        _, prec_score = get_prec_curve(torch.tensor(eval_data['ave_success_rate_plot_center']), valid_sequence)
        scores['Precision'] = prec_score
    if 'norm_prec' in plot_types:
        _, norm_prec_score = get_prec_curve(torch.tensor(eval_data['ave_success_rate_plot_center_norm']),
                                            valid_sequence)
        scores['Norm Precision'] = norm_prec_score
    return scores


def plot_results(trackers, dataset, report_name, merge_results=False, plot_types=('success'),
                 force_evaluation=False, plot_opts=None, **kwargs):
    """Write the success ('success'), precision ('prec') and normalized precision ('norm_prec') plots.
    Returns the list of written files."""
    plot_types = _plot_types(plot_types)
    settings = env_settings()
    plot_draw_styles = get_plot_draw_styles()
    result_plot_path = os.path.join(settings.result_plot_path, report_name)
    eval_data = check_and_load_precomputed_results(trackers, dataset, report_name, force_evaluation, **kwargs)
    if merge_results:
        eval_data = merge_multiple_runs(eval_data)
    tracker_names = eval_data['trackers']
    valid_sequence = torch.tensor(eval_data['valid_sequence'], dtype=torch.bool)
    print('\nPlotting results over {} / {} sequences'.format(valid_sequence.long().sum().item(),
                                                             valid_sequence.shape[0]))
    print('\nGenerating plots for: {}'.format(report_name))
    plot_opts = {} if plot_opts is None else plot_opts
    written = []

    if 'success' in plot_types:
        auc_curve, auc = get_auc_curve(torch.tensor(eval_data['ave_success_rate_plot_overlap']), valid_sequence)
        opts = {'plot_type': 'success', 'legend_loc': 'lower left', 'xlabel': 'Overlap threshold',
                'ylabel': 'Overlap Precision [%]', 'xlim': (0, 1.0), 'ylim': (0, 88), 'title': 'Success'}
        opts.update(plot_opts.get('success', {}))
        written += plot_draw_save(auc_curve, torch.tensor(eval_data['threshold_set_overlap']), auc, tracker_names,
                                  plot_draw_styles, result_plot_path, opts)
    if 'prec' in plot_types:
        prec_curve, prec_score = get_prec_curve(torch.tensor(eval_data['ave_success_rate_plot_center']),
                                                valid_sequence)
        opts = {'plot_type': 'precision', 'legend_loc': 'lower right',
                'xlabel': 'Location error threshold [pixels]', 'ylabel': 'Distance Precision [%]',
                'xlim': (0, 50), 'ylim': (0, 100), 'title': 'Precision plot'}
        opts.update(plot_opts.get('prec', {}))
        written += plot_draw_save(prec_curve, torch.tensor(eval_data['threshold_set_center']), prec_score,
                                  tracker_names, plot_draw_styles, result_plot_path, opts)
    if 'norm_prec' in plot_types:
        prec_curve, prec_score = get_prec_curve(torch.tensor(eval_data['ave_success_rate_plot_center_norm']),
                                                valid_sequence)
        opts = {'plot_type': 'norm_precision', 'legend_loc': 'lower right', 'xlabel': 'Location error threshold',
                'ylabel': 'Distance Precision [%]', 'xlim': (0, 0.5), 'ylim': (0, 85),
                'title': 'Normalized Precision'}
        opts.update(plot_opts.get('norm_prec', {}))
        written += plot_draw_save(prec_curve, torch.tensor(eval_data['threshold_set_center_norm']), prec_score,
                                  tracker_names, plot_draw_styles, result_plot_path, opts)
    return written


def generate_formatted_report(row_labels, scores, table_name=''):
    """Fixed-width text table: one row per label, one column per score (2 decimals)."""
    name_width = max([len(d) for d in row_labels] + [len(table_name)]) + 5
    min_score_width = 10
    report_text = '\n{label: <{width}} |'.format(label=table_name, width=name_width)
    score_widths = [max(min_score_width, len(k) + 3) for k in scores.keys()]
    for s, s_w in zip(scores.keys(), score_widths):
        report_text = '{prev} {s: <{width}} |'.format(prev=report_text, s=s, width=s_w)
    report_text += '\n'
    for trk_id, d_name in enumerate(row_labels):
        report_text = '{prev}{tracker: <{width}} |'.format(prev=report_text, tracker=d_name, width=name_width)
        for score_value, s_w in zip(scores.values(), score_widths):
            report_text = '{prev} {score: <{width}} |'.format(
                prev=report_text, score='{:0.2f}'.format(float(score_value[trk_id])), width=s_w)
        report_text += '\n'
    return report_text


def scores_table(eval_data, plot_types=('success', 'prec', 'norm_prec')):
    """pandas DataFrame: one row per tracker (display name), columns AUC, OP50, OP75, Precision, Norm Precision."""
    import pandas as pd
    scores = compute_scores(eval_data, plot_types)
    index = [get_tracker_display_name(t) for t in eval_data['trackers']]
    return pd.DataFrame({k: [float(x) for x in v] for k, v in scores.items()}, index=index)


FPS_NOTE = 'FPS = frames / tracking time over the scored sequences, initialisation frame excluded'


def compute_fps(trackers, dataset, eval_data, merge_results=False, include_init=False):
    """FPS per tracker of `eval_data['trackers']` (merged by name and parameter when `merge_results`): frames /
    seconds summed over the valid sequences, from the `{seq}_time.txt` files (see extract_timings). Frame 0
    (the initialisation) is excluded unless `include_init`. Returns a float64 tensor."""
    frames, seconds = extract_timings(trackers, dataset, eval_data['valid_sequence'], include_init=include_init)
    if merge_results:
        keys = [(t.name, t.parameter_name) for t in trackers]
        groups = list(dict.fromkeys(keys))  # first-occurrence order, as merge_multiple_runs
        frames = np.array([sum(f for k, f in zip(keys, frames) if k == g) for g in groups])
        seconds = np.array([sum(t for k, t in zip(keys, seconds) if k == g) for g in groups])
    fps = np.full(len(frames), np.nan)  # NaN: no time file, or no frames to time
    for i, (f, t) in enumerate(zip(frames, seconds)):
        if f > 0 and t > 0:
            fps[i] = f / t
        elif f > 0 and t == 0:
            fps[i] = np.inf  # faster than the 1 us resolution of the time files
    return torch.tensor(fps, dtype=torch.float64)


def print_results(trackers, dataset, report_name, merge_results=False, plot_types=('success'), **kwargs):
    """Print the score table (2 decimals) and return it as a pandas DataFrame.

    fps (ours, a keyword; pytracking's signature is kept): also show an FPS column (last): frames / tracking seconds
    over the scored sequences, from the `{seq}_time.txt` files, initialisation frame excluded (see compute_fps). Off
    by default, so the table is pytracking's.
    """
    fps = kwargs.pop('fps', False)
    eval_data = check_and_load_precomputed_results(trackers, dataset, report_name, **kwargs)
    merged_data = merge_multiple_runs(eval_data) if merge_results else eval_data
    valid_sequence = torch.tensor(merged_data['valid_sequence'], dtype=torch.bool)
    print('\nReporting results over {} / {} sequences'.format(valid_sequence.long().sum().item(),
                                                              valid_sequence.shape[0]))
    scores = compute_scores(merged_data, plot_types)
    if fps:
        scores['FPS'] = compute_fps(trackers, dataset, eval_data, merge_results=merge_results)
    tracker_disp_names = [get_tracker_display_name(trk) for trk in merged_data['trackers']]
    print(generate_formatted_report(tracker_disp_names, scores, table_name=report_name))
    if fps:
        print(FPS_NOTE)
    import pandas as pd
    return pd.DataFrame({k: [float(x) for x in v] for k, v in scores.items()}, index=tracker_disp_names)


def print_per_sequence_results(trackers, dataset, report_name, merge_results=False, filter_criteria=None, **kwargs):
    """Print the average overlap (x100) of every tracker on every valid sequence; returns a DataFrame.

    filter_criteria: {'mode': 'ao_min' | 'ao_max' | 'delta_ao', 'threshold': float} keeps sequences whose
    min AO over trackers is above, max AO below, or max-min spread above the threshold.
    """
    import pandas as pd
    eval_data = check_and_load_precomputed_results(trackers, dataset, report_name, **kwargs)
    if merge_results:
        eval_data = merge_multiple_runs(eval_data)
    valid_sequence = torch.tensor(eval_data['valid_sequence'], dtype=torch.bool)
    sequence_names = eval_data['sequences']
    avg_overlap_all = torch.tensor(eval_data['avg_overlap_all']) * 100.0

    if filter_criteria is not None:
        mode, threshold = filter_criteria['mode'], filter_criteria['threshold']
        min_ao = avg_overlap_all.min(dim=1)[0]
        max_ao = avg_overlap_all.max(dim=1)[0]
        if mode == 'ao_min':
            valid_sequence = valid_sequence & (min_ao > threshold)
        elif mode == 'ao_max':
            valid_sequence = valid_sequence & (max_ao < threshold)
        elif mode == 'delta_ao':
            valid_sequence = valid_sequence & ((max_ao - min_ao) > threshold)
        else:
            raise ValueError("filter_criteria['mode'] must be 'ao_min', 'ao_max' or 'delta_ao', got {!r}".format(mode))

    avg_overlap_all = avg_overlap_all[valid_sequence, :]
    sequence_names = ['{} (ID={})'.format(s, i) for i, (s, v) in enumerate(zip(sequence_names, valid_sequence.tolist()))
                      if v]
    tracker_disp_names = [get_tracker_display_name(trk) for trk in eval_data['trackers']]
    scores_per_tracker = {k: avg_overlap_all[:, i] for i, k in enumerate(tracker_disp_names)}
    print(generate_formatted_report(sequence_names, scores_per_tracker))
    return pd.DataFrame({k: v.tolist() for k, v in scores_per_tracker.items()}, index=sequence_names)


def print_results_per_attribute(trackers, datasets, report_name, merge_results=False, verbose=False, **kwargs):
    raise NotImplementedError('Per-attribute reports need the dataset attribute specs, which are not shipped')


def plot_attributes_radar(trackers, datasets, report_name, merge_results=False, plot_opts=None, verbose=False,
                          **kwargs):
    raise NotImplementedError('Attribute radar plots need the dataset attribute specs, which are not shipped')


def plot_got_success(trackers, report_name):
    raise NotImplementedError('plot_got_success reads GOT-10k server reports; not implemented')


def plot_draw_save_f1_prec_rec(data, trackers, plot_draw_styles, result_plot_path, plot_opts):
    raise NotImplementedError('OxUvA-style precision/recall/F1 plots are not implemented')


def plot_radar_draw_save(scores, trackers, plot_draw_styles, result_plot_path, plot_opts):
    raise NotImplementedError('Attribute radar plots need the dataset attribute specs, which are not shipped')
