"""Serve a tracker to the VOT toolkit over TraX (run by the toolkit, not by hand).

    python pytracking/run_vot.py atom default_vot                 # VOT2018-style short-term (polygon/rectangle)
    python pytracking/run_vot.py atom default_vot --vot2020       # VOT2020+ API (rectangles only, no masks)

The toolkit starts this as the tracker process (pytracking/VOT/trackers.ini is a template; see INSTALL.md,
section VOT). From a toolkit `traxpython` entry, call the functions directly:
`import pytracking.run_vot as run_vot; run_vot.run_vot('atom', 'default_vot')`.

A tracker that cannot start (unknown tracker/parameters, network missing, no `trax` module) prints one line
`run_vot: error: ...` on stderr and exits with status 1 before the TraX handshake. A failure while tracking is
sent to the toolkit (TraX quit with the reason) and the process exits with status 1.
"""
import argparse
import os
import sys

env_path = os.path.join(os.path.dirname(__file__), '..')
if env_path not in sys.path:
    sys.path.insert(0, os.path.abspath(env_path))

from pytracking.evaluation.cli_utils import str2bool  # noqa: E402
from pytracking.evaluation.tracker import Tracker, VOTSetupError  # noqa: E402


def _serve(method, tracker_name, tracker_param, run_id, debug, visdom_info):
    try:
        tracker = Tracker(tracker_name, tracker_param, run_id)
        getattr(tracker, method)(debug, visdom_info)
    except VOTSetupError as e:
        _fail(str(e))
    except Exception as e:  # during the session: already sent to the toolkit, traceback on stderr
        _fail('{}: {}'.format(type(e).__name__, e))


def _fail(message):
    print('run_vot: error: {}'.format(' '.join(str(message).split())), file=sys.stderr, flush=True)
    sys.exit(1)


def run_vot2020(tracker_name, tracker_param, run_id=None, debug=0, visdom_info=None):
    """Serve `Tracker(tracker_name, tracker_param, run_id).run_vot2020()` (VOT2020+ API, rectangles)."""
    _serve('run_vot2020', tracker_name, tracker_param, run_id, debug, visdom_info)


def run_vot(tracker_name, tracker_param, run_id=None, debug=0, visdom_info=None):
    """Serve `Tracker(tracker_name, tracker_param, run_id).run_vot()` (VOT2018-style, polygon or rectangle)."""
    _serve('run_vot', tracker_name, tracker_param, run_id, debug, visdom_info)


def main():
    parser = argparse.ArgumentParser(description='Run a tracker under the VOT toolkit (TraX).')
    parser.add_argument('tracker_name', type=str, help='Name of tracking method.')
    parser.add_argument('tracker_param', type=str, help='Name of parameter file.')
    parser.add_argument('--run_id', type=int, default=None, help='The run id.')
    parser.add_argument('--debug', type=int, default=0, help='Debug level.')
    parser.add_argument('--vot2020', action='store_true',
                        help='VOT2020+ API: rectangle regions only (default: VOT2018-style, polygons accepted).')
    parser.add_argument('--use_visdom', type=str2bool, default=True, help='Flag to enable visdom (true/false).')
    parser.add_argument('--visdom_server', type=str, default='127.0.0.1', help='Server for visdom.')
    parser.add_argument('--visdom_port', type=int, default=8097, help='Port for visdom.')
    args = parser.parse_args()
    visdom_info = {'use_visdom': args.use_visdom, 'server': args.visdom_server, 'port': args.visdom_port}
    serve = run_vot2020 if args.vot2020 else run_vot
    serve(args.tracker_name, args.tracker_param, args.run_id, args.debug, visdom_info)


if __name__ == '__main__':
    main()
