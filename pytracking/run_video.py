"""Run a tracker on a video file.

    python pytracking/run_video.py atom default path/to/video.mp4 --optional_box 100 80 40 60 --save_results

Without `--optional_box` a window opens to select the target (needs a display). Keys: q quit, r reset,
space pause. `--save_results` writes `{results_dir}/video_{name}_1.txt` (tab-separated int boxes).
"""
import argparse
import os
import sys

env_path = os.path.join(os.path.dirname(__file__), '..')
if env_path not in sys.path:
    sys.path.insert(0, os.path.abspath(env_path))

from pytracking.evaluation import Tracker  # noqa: E402
from pytracking.evaluation.cli_utils import run_cli  # noqa: E402


def run_video(tracker_name, tracker_param, videofile, optional_box=None, debug=None, save_results=False):
    """Run the tracker on a video file.
    args:
        tracker_name: Name of tracking method.
        tracker_param: Name of parameter file.
        videofile: Path to the video file.
        optional_box: Initial box [x, y, w, h]; if None, it is selected in a window.
        debug: Debug level.
        save_results: Save the boxes to the tracker's results folder.
    """
    tracker = Tracker(tracker_name, tracker_param)
    tracker._require_tracker_class()   # an unknown tracker name is reported as such (before its parameters)
    return tracker.run_video_generic(debug=debug, videofilepath=videofile, optional_box=optional_box,
                                     save_results=save_results)


def main():
    parser = argparse.ArgumentParser(description='Run the tracker on your video file.')
    parser.add_argument('tracker_name', type=str, help='Name of tracking method.')
    parser.add_argument('tracker_param', type=str, help='Name of parameter file.')
    parser.add_argument('videofile', type=str, help='Path to a video file.')
    parser.add_argument('--optional_box', type=float, default=None, nargs=4, metavar=('X', 'Y', 'W', 'H'),
                        help='Initial box x y w h.')
    parser.add_argument('--debug', type=int, default=0, help='Debug level.')
    parser.add_argument('--save_results', dest='save_results', action='store_true', help='Save bounding boxes')
    parser.set_defaults(save_results=False)
    args = parser.parse_args()
    run_cli(run_video, args.tracker_name, args.tracker_param, args.videofile, args.optional_box, args.debug,
            args.save_results, debug=args.debug)


if __name__ == '__main__':
    main()
