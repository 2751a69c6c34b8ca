"""Play back tracking results of several trackers on one sequence, with the ground truth (matplotlib).

    from pytracking.analysis.playback_results import playback_results
    playback_results(trackerlist('atom', 'default', None), get_dataset('otb')['Soccer'])

Keys: right/left arrow step forward/back, space play/pause, q quit. With `save_dir`, frames are written as
PNGs instead of shown (works without a display).
"""
import os

import cv2
import numpy as np

from pytracking.analysis.plot_results import get_plot_draw_styles, get_tracker_display_name
from pytracking.utils.load_text import load_text


def read_image(image_file: str):
    im = cv2.imread(image_file)
    if im is None:
        raise FileNotFoundError('Could not read image {}'.format(image_file))
    return cv2.cvtColor(im, cv2.COLOR_BGR2RGB)


class Display:
    def __init__(self, sequence_length, plot_draw_styles, sequence_name, interactive=True):
        import matplotlib
        if not interactive:
            matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        self.plt = plt
        self.active = True
        self.frame_number = 0
        self.pause_mode = True
        self.sequence_length = sequence_length
        self.sequence_name = sequence_name
        self.plot_draw_styles = plot_draw_styles
        self.fig, self.ax = plt.subplots(1)
        self.fig.canvas.mpl_connect('key_press_event', self.key_callback_fn)
        plt.tight_layout()

    def key_callback_fn(self, event):
        if event.key == ' ':
            self.pause_mode = not self.pause_mode
        elif event.key == 'right':
            self.frame_number = min(self.frame_number + 1, self.sequence_length - 1)
        elif event.key == 'left':
            self.frame_number = max(self.frame_number - 1, 0)
        elif event.key == 'q':
            self.active = False

    def step(self):
        if not self.pause_mode:
            self.frame_number = min(self.frame_number + 1, self.sequence_length - 1)

    def show(self, image, bb_list, trackers, gt=None):
        import matplotlib.patches as patches
        self.ax.cla()
        self.ax.imshow(image)
        handles, labels = [], []
        for i, (bb, trk) in enumerate(zip(bb_list, trackers)):
            style = self.plot_draw_styles[i % len(self.plot_draw_styles)]
            rect = patches.Rectangle((bb[0], bb[1]), bb[2], bb[3], linewidth=1, edgecolor=style['color'],
                                     facecolor='none', linestyle=style['line_style'])
            self.ax.add_patch(rect)
            handles.append(rect)
            labels.append(get_tracker_display_name({'name': trk.name, 'param': trk.parameter_name,
                                                    'run_id': trk.run_id, 'disp_name': trk.display_name}))
        if gt is not None:
            rect = patches.Rectangle((gt[0], gt[1]), gt[2], gt[3], linewidth=2, edgecolor='y', facecolor='none')
            self.ax.add_patch(rect)
            handles.append(rect)
            labels.append('GT')
        self.ax.set_axis_off()
        self.ax.axis('equal')
        self.ax.legend(handles, labels, loc=1, title='{} {}/{}'.format(self.sequence_name, self.frame_number + 1,
                                                                         self.sequence_length))


def playback_results(trackers, sequence, save_dir=None):
    """Show (or, with `save_dir`, save as PNG) every frame of `sequence` with the trackers' boxes and the GT."""
    plot_draw_styles = get_plot_draw_styles()
    tracker_results = []
    for trk in trackers:
        path = '{}/{}.txt'.format(trk.results_dir, sequence.name)
        if not os.path.isfile(path):
            raise FileNotFoundError('Result not found: {}'.format(path))
        tracker_results.append(load_text(path, delimiter=('\t', ','), dtype=np.float64))

    display = Display(len(sequence.frames), plot_draw_styles, sequence.name, interactive=save_dir is None)
    gt = sequence.ground_truth_rect
    if save_dir is not None:
        os.makedirs(save_dir, exist_ok=True)
        for n, frame in enumerate(sequence.frames):
            display.frame_number = n
            display.show(read_image(frame), [r[n] for r in tracker_results], trackers,
                         gt[n] if gt is not None and n < len(gt) else None)
            display.fig.savefig(os.path.join(save_dir, '{:05d}.png'.format(n + 1)))
        display.plt.close(display.fig)
        return
    while display.active:
        n = display.frame_number
        display.show(read_image(sequence.frames[n]), [r[n] for r in tracker_results], trackers,
                     gt[n] if gt is not None and n < len(gt) else None)
        display.plt.pause(0.01)
        display.step()
