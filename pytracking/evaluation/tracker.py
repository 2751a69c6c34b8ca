"""`Tracker`: a (tracker name, parameter file, run id) triple that runs on sequences, videos and webcams.

The tracker class comes from `pytracking.tracker.<name>.get_tracker_class()` and the parameters from
`pytracking.parameter.<name>.<parameter_name>.parameters()`, both imported by name.
Results go to `{results_path}/{name}/{parameter_name}` or `.../{parameter_name}_{run_id:03d}`.
"""
import importlib
import os
import sys
import time
import traceback
from collections import OrderedDict

import cv2 as cv
import numpy as np

from pytracking.evaluation.environment import env_settings
from pytracking.evaluation.multi_object_wrapper import MultiObjectWrapper


def trackerlist(name: str, parameter_name: str, run_ids=None, display_name: str = None):
    """One Tracker per run id (a single Tracker with run_id=None when `run_ids` is None)."""
    if run_ids is None or isinstance(run_ids, int):
        run_ids = [run_ids]
    return [Tracker(name, parameter_name, run_id, display_name) for run_id in run_ids]


def _import_optional(module_name):
    """Import `module_name`, or return None if that module (not one of its imports) does not exist."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name is not None and module_name.startswith(e.name):
            return None
        raise


def display_available():
    """Whether OpenCV/matplotlib windows can be opened (False on a headless Linux box)."""
    if sys.platform.startswith('linux'):
        return bool(os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY'))
    return True


class VOTSetupError(RuntimeError):
    """The tracker could not start under the VOT toolkit (parameters, network, TraX bindings); raised before the
    TraX handshake."""


def _trax_protect_stdio():
    """With TraX over the standard streams (the toolkit's default), keep the protocol on private copies of
    stdin/stdout (TRAX_IN / TRAX_OUT) and point fd 1 at stderr, so prints cannot corrupt the protocol. No-op
    when the toolkit uses a socket (TRAX_SOCKET) or the streams are already set."""
    if os.environ.get('TRAX_SOCKET') or os.environ.get('TRAX_IN') or os.environ.get('TRAX_OUT'):
        return
    sys.stdout.flush()
    fd_in, fd_out = os.dup(0), os.dup(1)
    os.dup2(2, 1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.environ['TRAX_IN'], os.environ['TRAX_OUT'] = str(fd_in), str(fd_out)


def _trax_image_path(images):
    """The colour image's file path from a TraX request (path images only: the server asks for those)."""
    image = images.get('color') if isinstance(images, dict) else None
    if image is None:
        raise ValueError('TraX request without a color image (got channels {})'.format(
            list(images) if isinstance(images, dict) else images))
    if not hasattr(image, 'path'):
        raise ValueError('TraX image of type {} is not a file path'.format(type(image).__name__))
    return image.path()


def trax_region_to_box(region, polygon_conversion='preserve_area'):
    """A TraX region -> [x, y, w, h] (floats). Rectangles pass unchanged; polygons are converted with
    `convert_vot_anno_to_rect(flat polygon, polygon_conversion)` (None: not accepted); masks are refused (ATOM
    predicts boxes only)."""
    from trax import Region

    from pytracking.utils.convert_vot_anno_to_rect import convert_vot_anno_to_rect
    kind = region.type
    if kind == Region.RECTANGLE:
        box = list(region.bounds())
    elif kind == Region.POLYGON and polygon_conversion is not None:
        box = convert_vot_anno_to_rect([float(c) for point in region for c in point], polygon_conversion)
    elif kind == Region.MASK:
        raise ValueError('segmentation masks are not supported: ATOM initialises on and reports bounding boxes '
                         'only; use a bounding-box stack (rectangle regions)')
    else:
        raise ValueError('unsupported TraX region type {!r}'.format(kind))
    box = [float(v) for v in box]
    if not (len(box) == 4 and all(np.isfinite(box)) and box[2] > 0 and box[3] > 0):
        raise ValueError('initial region gives an invalid box {}'.format(box))
    return box


class Tracker:
    """Wraps one tracker + parameter setting (+ run id) for running on datasets, videos and webcams."""

    def __init__(self, name: str, parameter_name: str, run_id: int = None, display_name: str = None):
        assert run_id is None or isinstance(run_id, int)
        self.name = name
        self.parameter_name = parameter_name
        self.run_id = run_id
        self.display_name = display_name

        env = env_settings()
        if self.run_id is None:
            self.results_dir = '{}/{}/{}'.format(env.results_path, self.name, self.parameter_name)
            self.segmentation_dir = '{}/{}/{}'.format(env.segmentation_path, self.name, self.parameter_name)
        else:
            self.results_dir = '{}/{}/{}_{:03d}'.format(env.results_path, self.name, self.parameter_name, self.run_id)
            self.segmentation_dir = '{}/{}/{}_{:03d}'.format(env.segmentation_path, self.name, self.parameter_name,
                                                            self.run_id)

        tracker_module = _import_optional('pytracking.tracker.{}'.format(self.name))
        self.tracker_class = tracker_module.get_tracker_class() if tracker_module is not None else None

        self.visdom = None
        self.pause_mode = False
        self.step = False
        self.fig = None

    def __repr__(self):
        run = '' if self.run_id is None else ', run_id={}'.format(self.run_id)
        return 'Tracker({}, {}{})'.format(self.name, self.parameter_name, run)

    def _require_tracker_class(self):
        if self.tracker_class is None:
            raise ValueError('Unknown tracker {!r}: no module pytracking.tracker.{} with get_tracker_class()'
                             .format(self.name, self.name))

    # ---------------------------------------------------------------- visualisation
    def _init_visdom(self, visdom_info, debug):
        visdom_info = {} if visdom_info is None else visdom_info
        self.pause_mode = False
        self.step = False
        if debug > 0 and visdom_info.get('use_visdom', True):
            try:
                from pytracking.utils.visdom import Visdom
                self.visdom = Visdom(debug, {'handler': self._visdom_ui_handler, 'win_id': 'Tracking'},
                                     visdom_info=visdom_info)
            except Exception as e:  # visdom is optional: fall back to matplotlib
                print('!!! WARNING: Visdom could not start ({}), so using matplotlib visualization instead !!!'
                      .format(e))
                self.visdom = None

    def _visdom_ui_handler(self, data):
        if data['event_type'] == 'KeyPress':
            if data['key'] == ' ':
                self.pause_mode = not self.pause_mode
            elif data['key'] == 'ArrowRight' and self.pause_mode:
                self.step = True

    def create_tracker(self, params):
        self._require_tracker_class()
        tracker = self.tracker_class(params)
        tracker.visdom = self.visdom
        return tracker

    def get_parameters(self):
        """`pytracking.parameter.<name>.<parameter_name>.parameters()`."""
        module_name = 'pytracking.parameter.{}.{}'.format(self.name, self.parameter_name)
        param_module = _import_optional(module_name)
        if param_module is None:
            raise ValueError('Unknown parameter setting {!r} for tracker {!r}: no module {}'
                             .format(self.parameter_name, self.name, module_name))
        return param_module.parameters()

    @staticmethod
    def _params_get(params, name, default):
        return params.get(name, default) if hasattr(params, 'get') else getattr(params, name, default)

    # ---------------------------------------------------------------- datasets
    def run_sequence(self, seq, visualization=None, debug=None, visdom_info=None, multiobj_mode=None):
        """Run the tracker on a Sequence. Returns a dict of per-frame outputs (see `_track_sequence`)."""
        params = self.get_parameters()
        visualization_ = visualization
        debug_ = debug
        if debug is None:
            debug_ = getattr(params, 'debug', 0)
        if visualization is None:
            visualization_ = bool(debug_) if debug is not None else getattr(params, 'visualization', False)
        params.visualization = visualization_
        params.debug = debug_
        self._init_visdom(visdom_info, debug_)
        if visualization_ and self.visdom is None:
            self.init_visualization()

        if multiobj_mode is None:
            multiobj_mode = getattr(params, 'multiobj_mode', getattr(self.tracker_class, 'multiobj_mode', 'default'))
        if multiobj_mode == 'default' or not seq.multiobj_mode:
            tracker = self.create_tracker(params)
        elif multiobj_mode == 'parallel':
            self._require_tracker_class()
            tracker = MultiObjectWrapper(self.tracker_class, params, self.visdom)
        else:
            raise ValueError('Unknown multi object mode {!r}'.format(multiobj_mode))

        return self._track_sequence(tracker, seq, seq.init_info())

    def _track_sequence(self, tracker, seq, init_info):
        """Initialise on frame 0 and track the rest. Output lists hold one entry per frame; frame 0's box is
        the init box and its time includes the initialisation."""
        output = {'target_bbox': [], 'time': [], 'segmentation': [], 'object_presence_score': []}

        def _store_outputs(tracker_out, defaults=None):
            defaults = {} if defaults is None else defaults
            for key in output.keys():
                val = tracker_out.get(key, defaults.get(key, None))
                if key in tracker_out or val is not None:
                    output[key].append(val)

        params = getattr(tracker, 'params', None)
        visualize = bool(getattr(params, 'visualization', False))

        image = self._read_image(seq.frames[0])
        if visualize and self.visdom is None:
            self.visualize(image, init_info.get('init_bbox'))

        start_time = time.perf_counter()
        out = tracker.initialize(image, init_info)
        if out is None:
            out = {}
        prev_output = OrderedDict(out)
        init_default = {'target_bbox': init_info.get('init_bbox'), 'time': time.perf_counter() - start_time,
                        'segmentation': init_info.get('init_mask'), 'object_presence_score': 1.}
        _store_outputs(out, init_default)

        for frame_num, frame_path in enumerate(seq.frames[1:], start=1):
            while self.pause_mode and not self.step:
                time.sleep(0.1)
            self.step = False

            image = self._read_image(frame_path)
            start_time = time.perf_counter()
            info = seq.frame_info(frame_num)
            info['previous_output'] = prev_output
            out = tracker.track(image, info)
            prev_output = OrderedDict(out)
            _store_outputs(out, {'time': time.perf_counter() - start_time})

            segmentation = out.get('segmentation')
            if self.visdom is not None:
                tracker.visdom_draw_tracking(image, out['target_bbox'], segmentation)
            elif visualize:
                self.visualize(image, out['target_bbox'], segmentation)

        for key in ['target_bbox', 'segmentation']:
            if key in output and len(output[key]) <= 1:
                output.pop(key)
        output['image_shape'] = image.shape[:2]
        output['object_presence_score_threshold'] = (
            self._params_get(params, 'object_presence_score_threshold', 0.55) if params is not None else 0.55)
        return output

    # ---------------------------------------------------------------- videos and webcams
    def run_video_generic(self, debug=None, visdom_info=None, videofilepath=None, optional_box=None,
                          save_results=False):
        """Track one target in a video file (`videofilepath`) or, with no path, in the webcam stream.

        Keys in the window: 'q' quits, 'r' re-selects the target, space pauses (video only). Without a
        display, a video runs headless if `optional_box` is given. Frames are converted BGR->RGB before
        tracking (pytracking feeds OpenCV's BGR frames to the tracker here, unlike on datasets: fixed).
        Returns the list of boxes (one [x, y, w, h] per frame).
        """
        params = self.get_parameters()
        debug_ = debug if debug is not None else getattr(params, 'debug', 0)
        params.debug = debug_
        params.tracker_name = self.name
        params.param_name = self.parameter_name
        self._init_visdom(visdom_info, debug_)
        self._require_tracker_class()

        show = display_available()
        is_webcam = videofilepath is None
        if not show and (is_webcam or optional_box is None):
            raise RuntimeError('No display available (DISPLAY is not set): {} needs a window to select the '
                               'target. Run it on a machine with a display{}.'.format(
                                   'the webcam mode' if is_webcam else 'selecting the target',
                                   '' if is_webcam else ', or give the box with --optional_box x y w h'))

        multiobj_mode = getattr(params, 'multiobj_mode', getattr(self.tracker_class, 'multiobj_mode', 'default'))
        if multiobj_mode == 'default':
            tracker = self.create_tracker(params)
        elif multiobj_mode == 'parallel':
            tracker = MultiObjectWrapper(self.tracker_class, params, self.visdom, fast_load=True)
        else:
            raise ValueError('Unknown multi object mode {!r}'.format(multiobj_mode))

        if is_webcam:
            cap = cv.VideoCapture(0)
            if not cap.isOpened():
                raise RuntimeError('Could not open the webcam (cv2.VideoCapture(0) failed): is a camera connected '
                                   'and accessible?')
        else:
            if not os.path.isfile(videofilepath):
                raise FileNotFoundError('Video file {} does not exist'.format(videofilepath))
            cap = cv.VideoCapture(videofilepath)
            if not cap.isOpened():
                raise RuntimeError('OpenCV could not open video file {}'.format(videofilepath))

        display_name = 'Display: ' + tracker.params.tracker_name if hasattr(tracker, 'params') else 'Display'
        ok, frame = cap.read()
        if not ok or frame is None:
            cap.release()
            raise RuntimeError('Could not read a first frame from {}'.format(videofilepath or 'the webcam'))

        def _init(frame_bgr, box):
            box = [float(v) for v in box]
            if len(box) != 4 or box[2] <= 0 or box[3] <= 0:
                raise ValueError('Target box must be [x, y, w, h] with w, h > 0, got {}'.format(box))
            info = OrderedDict(init_bbox=OrderedDict({1: box}), init_object_ids=[1], object_ids=[1],
                               sequence_object_ids=[1])
            if multiobj_mode == 'default':
                info = {'init_bbox': box}
            tracker.initialize(cv.cvtColor(frame_bgr, cv.COLOR_BGR2RGB), info)
            return box

        def _select(frame_bgr):
            cv.namedWindow(display_name, cv.WINDOW_NORMAL | cv.WINDOW_KEEPRATIO)
            cv.putText(frame_bgr, 'Select target ROI and press ENTER', (20, 30), cv.FONT_HERSHEY_COMPLEX_SMALL,
                       1.5, (0, 0, 0), 1)
            return list(cv.selectROI(display_name, frame_bgr, fromCenter=False))

        def _box_of(out):
            box = out['target_bbox']
            if isinstance(box, (dict, OrderedDict)):
                box = box[1]
            return [float(v) for v in box]

        output_boxes = [_init(frame, optional_box if optional_box is not None else _select(frame.copy()))]
        paused = False
        while True:
            if not paused:
                ok, frame = cap.read()
                if not ok or frame is None:
                    break
                out = tracker.track(cv.cvtColor(frame, cv.COLOR_BGR2RGB), {})
                state = _box_of(out)
                output_boxes.append(state)
            if not show:
                continue
            frame_disp = frame.copy()
            x, y, w, h = [int(v) for v in output_boxes[-1]]
            cv.rectangle(frame_disp, (x, y), (x + w, y + h), (0, 255, 0), 5)
            cv.putText(frame_disp, 'Tracking!', (20, 30), cv.FONT_HERSHEY_COMPLEX_SMALL, 1, (0, 0, 0), 1)
            cv.putText(frame_disp, 'Press r to reset', (20, 55), cv.FONT_HERSHEY_COMPLEX_SMALL, 1, (0, 0, 0), 1)
            cv.putText(frame_disp, 'Press q to quit', (20, 80), cv.FONT_HERSHEY_COMPLEX_SMALL, 1, (0, 0, 0), 1)
            cv.imshow(display_name, frame_disp)
            key = cv.waitKey(1) & 0xFF
            if key == ord('q'):
                break
            elif key == ord('r'):
                output_boxes[-1] = _init(frame, _select(frame.copy()))
            elif key == ord(' ') and not is_webcam:
                paused = not paused

        cap.release()
        if show:
            cv.destroyAllWindows()

        if save_results:
            from ltr.admin.atomic_io import atomic_savetxt
            video_name = 'webcam' if is_webcam else os.path.splitext(os.path.basename(videofilepath))[0]
            base_results_path = os.path.join(self.results_dir, 'video_{}_1.txt'.format(video_name))
            atomic_savetxt(base_results_path, np.array(output_boxes).astype(int), delimiter='\t', fmt='%d')
            print('Results saved to {}'.format(base_results_path))
        return output_boxes

    def run_video(self, videofilepath, optional_box=None, debug=None, visdom_info=None, save_results=False):
        return self.run_video_generic(debug, visdom_info, videofilepath, optional_box, save_results)

    def run_webcam(self, debug=None, visdom_info=None):
        return self.run_video_generic(debug, visdom_info, None, None, False)

    # ---------------------------------------------------------------- VOT toolkit (TraX)
    def run_vot2020(self, debug=None, visdom_info=None):
        """Serve the tracker to the VOT toolkit (VOT2020 and later, bounding-box stacks) over TraX.

        The tracker accepts rectangle regions only: a polygon ground truth is turned into its bounding rectangle
        by the TraX client (the toolkit), and the reported regions are rectangles [x, y, w, h]. Segmentation
        masks (the VOT2020+ segmentation stacks) are out of scope: ATOM predicts boxes, not masks, so a mask
        region ends the session with a clear error. One object per session (no VOTS multi-object).

        Uses the `vot-trax` package (module `trax`). Run it through pytracking/run_vot.py or the VOT toolkit's
        trackers.ini (pytracking/VOT/trackers.ini); see INSTALL.md. Returns when the toolkit quits; a failure
        inside the tracker is sent to the toolkit (TraX quit with the reason) and re-raised.
        """
        from trax import Region
        tracker = self._vot_create_tracker(debug, visdom_info)
        self._vot_serve(tracker, [Region.RECTANGLE], polygon_conversion=None)

    def run_vot(self, debug=None, visdom_info=None):
        """Serve the tracker to the VOT toolkit (VOT2018-style short-term, with resets) over TraX.

        The initial region is a polygon (VOT2018's rotated boxes) or a rectangle. A polygon is turned into an
        axis-aligned box with `convert_vot_anno_to_rect(polygon, params.vot_anno_conversion_type)` (default_vot:
        'preserve_area'; 'preserve_area' too when the parameters do not set it); the reported regions are
        rectangles [x, y, w, h]. The tracker can be re-initialised in the same session (the supervised
        experiment's resets). Otherwise as `run_vot2020`.
        """
        from trax import Region
        tracker = self._vot_create_tracker(debug, visdom_info)
        conversion = getattr(tracker.params, 'vot_anno_conversion_type', 'preserve_area')
        self._vot_serve(tracker, [Region.POLYGON, Region.RECTANGLE], polygon_conversion=conversion)

    def _vot_create_tracker(self, debug, visdom_info):
        """Parameters + tracker, with the network loaded, before any TraX message: a tracker that cannot start
        raises VOTSetupError (one line) and the toolkit sees a process that ended before the handshake."""
        _trax_protect_stdio()
        try:
            import trax  # noqa: F401
        except ImportError as e:
            raise VOTSetupError('the TraX bindings are missing ({}): pip install vot-trax'.format(e)) from e
        try:
            params = self.get_parameters()
        except Exception as e:
            raise VOTSetupError('{}: {}'.format(type(e).__name__, e)) from e
        params.tracker_name = self.name
        params.param_name = self.parameter_name
        params.run_id = self.run_id
        debug_ = debug if debug is not None else getattr(params, 'debug', 0)
        visualization_ = bool(debug_) if debug is not None else getattr(params, 'visualization', False)
        params.debug = debug_
        self._init_visdom(visdom_info, debug_)
        if visualization_ and self.visdom is None and not display_available():
            print('run_vot: no display, visualization off', file=sys.stderr)
            visualization_ = False
        params.visualization = visualization_
        try:
            tracker = self.create_tracker(params)
            if hasattr(tracker, 'initialize_features'):
                tracker.initialize_features()  # loads the network now, not at the first frame
        except Exception as e:
            raise VOTSetupError('{} {} could not start: {}: {}'.format(
                self.name, self.parameter_name, type(e).__name__, e)) from e
        return tracker

    def _vot_serve(self, tracker, region_formats, polygon_conversion):
        """The TraX server loop: INITIALIZE -> tracker.initialize, FRAME -> tracker.track, QUIT -> return."""
        from trax import Image, Rectangle, Server, TraxStatus
        server = Server(region_formats, [Image.PATH], image_channels=['color'],
                        tracker_name='{}_{}'.format(self.name, self.parameter_name), tracker_family='pytracking')
        params = tracker.params
        prev_output = None
        try:
            while True:
                request = server.wait()
                if request.type == TraxStatus.QUIT:
                    break
                image = self._read_image(_trax_image_path(request.image))
                if request.type == TraxStatus.INITIALIZE or request.objects:
                    if len(request.objects) != 1:
                        raise ValueError('{} tracks one object per session, the toolkit sent {}'.format(
                            self.name, len(request.objects)))
                    state = trax_region_to_box(request.objects[0][0], polygon_conversion)
                    out = tracker.initialize(image, {'init_bbox': state})
                    out = {} if out is None else out
                else:
                    out = tracker.track(image, {'previous_output': prev_output})
                    state = out['target_bbox']
                    if isinstance(state, dict):  # a multi-object wrapper: one object
                        state = next(iter(state.values()))
                prev_output = OrderedDict(out)
                state = [float(v) for v in state]
                server.status([(Rectangle.create(*state), {})])

                if self.visdom is not None:
                    tracker.visdom_draw_tracking(image, state)
                elif getattr(params, 'visualization', False):
                    self.visualize(image, state)
        except BaseException as e:
            reason = ' '.join('{}: {}'.format(type(e).__name__, e).split())
            traceback.print_exc(file=sys.stderr)
            print('run_vot: tracker failed, reported to the toolkit: {}'.format(reason), file=sys.stderr)
            try:
                server.quit(reason=reason)
            except Exception:  # the client may be gone already
                pass
            server = None
            raise
        finally:
            if server is not None:
                try:
                    server.quit()
                except Exception:
                    pass

    # ---------------------------------------------------------------- matplotlib display
    def init_visualization(self):
        import matplotlib.pyplot as plt
        self.pause_mode = False
        self.fig, self.ax = plt.subplots(1)
        self.fig.canvas.mpl_connect('key_press_event', self.press)
        plt.tight_layout()

    def visualize(self, image, state, segmentation=None):
        import matplotlib.patches as patches
        import matplotlib.pyplot as plt
        if self.fig is None:
            self.init_visualization()
        self.ax.cla()
        self.ax.imshow(image)
        if segmentation is not None:
            self.ax.imshow(segmentation, alpha=0.5)
        boxes = state.values() if isinstance(state, (dict, OrderedDict)) else [state]
        for box in boxes:
            if box is None:
                continue
            self.ax.add_patch(patches.Rectangle((box[0], box[1]), box[2], box[3], linewidth=1, edgecolor='r',
                                                facecolor='none'))
        self.ax.set_axis_off()
        self.ax.axis('equal')
        plt.draw()
        plt.pause(0.001)
        while self.pause_mode and not self.step:
            plt.waitforbuttonpress()
        self.step = False

    def reset_tracker(self):
        pass

    def press(self, event):
        if event.key == 'p':
            self.pause_mode = not self.pause_mode
            print('Switching pause mode!')
        elif event.key == 'r':
            self.reset_tracker()
            print('Resetting target pos to gt!')

    def _read_image(self, image_file: str):
        """Read a frame as RGB (OpenCV reads BGR)."""
        im = cv.imread(image_file)
        if im is None:
            raise FileNotFoundError('Could not read image {}'.format(image_file))
        return cv.cvtColor(im, cv.COLOR_BGR2RGB)
