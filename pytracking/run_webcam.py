"""Run a tracker on the webcam stream (needs a camera and a display).

    python pytracking/run_webcam.py atom default

Select the target with the mouse and press ENTER. Keys: q quit, r re-select the target.
"""
import argparse
import os
import sys

env_path = os.path.join(os.path.dirname(__file__), '..')
if env_path not in sys.path:
    sys.path.insert(0, os.path.abspath(env_path))

from pytracking.evaluation import Tracker  # noqa: E402
from pytracking.evaluation.cli_utils import run_cli, str2bool  # noqa: E402


def run_webcam(tracker_name, tracker_param, debug=None, visdom_info=None):
    """Run the tracker on the webcam.
    args:
        tracker_name: Name of tracking method.
        tracker_param: Name of parameter file.
        debug: Debug level.
        visdom_info: Dict optionally containing 'use_visdom', 'server' and 'port' for Visdom visualization.
    """
    visdom_info = {} if visdom_info is None else visdom_info
    tracker = Tracker(tracker_name, tracker_param)
    tracker._require_tracker_class()   # an unknown tracker name is reported as such (before its parameters)
    return tracker.run_video_generic(debug=debug, visdom_info=visdom_info)


def main():
    parser = argparse.ArgumentParser(description='Run the tracker on your webcam.')
    parser.add_argument('tracker_name', type=str, help='Name of tracking method.')
    parser.add_argument('tracker_param', type=str, help='Name of parameter file.')
    parser.add_argument('--debug', type=int, default=0, help='Debug level.')
    parser.add_argument('--use_visdom', type=str2bool, default=True, help='Flag to enable visdom (true/false)')
    parser.add_argument('--visdom_server', type=str, default='127.0.0.1', help='Server for visdom')
    parser.add_argument('--visdom_port', type=int, default=8097, help='Port for visdom')
    args = parser.parse_args()
    visdom_info = {'use_visdom': args.use_visdom, 'server': args.visdom_server, 'port': args.visdom_port}
    run_cli(run_webcam, args.tracker_name, args.tracker_param, args.debug, visdom_info, debug=args.debug)


if __name__ == '__main__':
    main()
