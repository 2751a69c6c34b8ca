"""The VOT toolkit integration: run_vot / run_vot2020 served over the real TraX protocol (vot-trax's own
`trax.client.Client`, talking to pytracking/run_vot.py in a subprocess over pipes, as the toolkit does), the VOT
annotation conversion, the VOT dataset reader, and the failure paths (tracker error -> TraX quit with the reason;
missing network -> one-line error before the handshake)."""
import os
import subprocess
import sys
import threading
import types

import cv2
import numpy as np
import pytest

trax = pytest.importorskip('trax')
from trax import FileImage, Mask, Polygon, Rectangle, TraxException  # noqa: E402
from trax.client import Client  # noqa: E402

from pytracking.utils.convert_vot_anno_to_rect import convert_vot_anno_to_rect  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTS_EVAL = os.path.dirname(os.path.abspath(__file__))
TESTS_TRACKER = os.path.join(os.path.dirname(TESTS_EVAL), 'tracker')
RUN_VOT = os.path.join(REPO, 'pytracking', 'run_vot.py')
TIMEOUT = 120   # seconds before the watchdog kills a tracker process (a hang fails the test, never blocks it)

# A rotated rectangle 20*sqrt(2) x 10*sqrt(2) (area 400) whose bounding box is (10, 10)-(40, 40) (area 900).
ROTATED = [(20., 10.), (40., 30.), (30., 40.), (10., 20.)]


def _flat(points):
    return [c for p in points for c in p]


# ------------------------------------------------------------------------------------------------------------
# conversion and dataset
# ------------------------------------------------------------------------------------------------------------
def test_conversion_types_against_hand_computed_boxes():
    # union: the bounding box
    assert convert_vot_anno_to_rect(_flat(ROTATED), 'union') == [10, 10, 30, 30]
    # preserve_area: centre (25, 25); scale sqrt(400 / 900) = 2/3 on the 30 x 30 bounding box -> 20 x 20, + 1
    np.testing.assert_allclose(convert_vot_anno_to_rect(_flat(ROTATED), 'preserve_area'), [14.5, 14.5, 21, 21])
    # an axis-aligned polygon keeps its box under 'union'; 'preserve_area' adds VOT's +1 around the same centre
    axis = [5, 5, 25, 5, 25, 15, 5, 15]
    assert convert_vot_anno_to_rect(axis, 'union') == [5, 5, 20, 10]
    np.testing.assert_allclose(convert_vot_anno_to_rect(axis, 'preserve_area'), [4.5, 4.5, 21, 11])
    np.testing.assert_allclose(convert_vot_anno_to_rect(np.array(axis, float), 'preserve_area'), [4.5, 4.5, 21, 11])
    # rectangles pass unchanged, whatever the type
    assert convert_vot_anno_to_rect([1, 2, 3, 4], 'preserve_area') == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="'union', 'preserve_area'"):
        convert_vot_anno_to_rect(axis, 'mean')
    with pytest.raises(ValueError, match='degenerate'):
        convert_vot_anno_to_rect([1, 1, 1, 1, 1, 1, 1, 1], 'preserve_area')


def test_default_vot_uses_preserve_area():
    from pytracking.parameter.atom.default_vot import parameters
    assert parameters().vot_anno_conversion_type == 'preserve_area'


def _write_frames(d, frames):
    os.makedirs(d, exist_ok=True)
    paths = []
    for i, f in enumerate(frames, start=1):
        p = os.path.join(d, '{:08d}.jpg'.format(i))
        assert cv2.imwrite(p, np.ascontiguousarray(f[..., ::-1]))
        paths.append(p)
    return paths


def test_vot_dataset_reads_the_toolkit_layout(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_VOT_PATH', str(tmp_path))
    from pytracking.evaluation.datasets import get_dataset
    (tmp_path / 'list.txt').write_text('seqA\nseqB\n')
    # seqA: polygons and rectangles mixed (the toolkit writes both), a special code, and a `sequence` file
    a = tmp_path / 'seqA'
    os.makedirs(a / 'frames')
    (a / 'groundtruth.txt').write_text('20,10,40,30,30,40,10,20\n1.5,2.5,3,4\n0\n')
    (a / 'sequence').write_text('channels.color=frames/%04d.jpg\nfps=30\nlength=3\n')
    b = tmp_path / 'seqB'
    os.makedirs(b / 'color')
    (b / 'groundtruth.txt').write_text('1 2 3 4\n5 6 7 8\n')
    seqs = get_dataset('vot')
    assert [s.name for s in seqs] == ['seqA', 'seqB']
    np.testing.assert_array_equal(seqs[0].ground_truth_rect[:2], [[10, 10, 30, 30], [1.5, 2.5, 3, 4]])
    assert np.isnan(seqs[0].ground_truth_rect[2]).all()
    assert seqs[0].frames == [str(a / 'frames' / '{:04d}.jpg'.format(i)) for i in (1, 2, 3)]
    assert seqs[1].frames[-1] == str(b / 'color' / '00000002.jpg')
    (b / 'groundtruth.txt').write_text('m10,20,2,2,1,1,1,1\n')
    with pytest.raises(ValueError, match='segmentation-mask'):
        get_dataset('vot')


def test_masks_are_refused_with_a_clear_error():
    from pytracking.evaluation.tracker import trax_region_to_box
    mask = np.zeros((8, 8), np.uint8)
    mask[2:5, 3:6] = 1
    with pytest.raises(ValueError, match='masks are not supported'):
        trax_region_to_box(Mask.create(mask))
    assert trax_region_to_box(Rectangle.create(1, 2, 3, 4)) == [1, 2, 3, 4]
    assert trax_region_to_box(Polygon.create(ROTATED), 'union') == [10, 10, 30, 30]
    with pytest.raises(ValueError, match='invalid box'):
        trax_region_to_box(Rectangle.create(1, 2, 0, 4))


# ------------------------------------------------------------------------------------------------------------
# TraX sessions
# ------------------------------------------------------------------------------------------------------------
class TraxSession:
    """A tracker process driven by vot-trax's client over its stdin/stdout, as the VOT toolkit does."""

    def __init__(self, args, env=None):
        full_env = dict(os.environ)
        full_env.update({'PYTHONPATH': os.pathsep.join([REPO, TESTS_EVAL, TESTS_TRACKER]), 'OMP_NUM_THREADS': '1',
                         'PYTHONUNBUFFERED': '1'})
        full_env.update(env or {})
        self.proc = subprocess.Popen([sys.executable] + args, cwd=REPO, env=full_env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
        self.killed = False
        self._watchdog = threading.Timer(TIMEOUT, self._kill)
        self._watchdog.start()
        self._stderr = []
        self._reader = threading.Thread(target=lambda: self._stderr.append(self.proc.stderr.read()), daemon=True)
        self._reader.start()
        self.log = []
        self.client = None
        self.client = Client(stream=(self.proc.stdin.fileno(), self.proc.stdout.fileno()), log=self.log.append)

    def _kill(self):
        self.killed = True
        self.proc.kill()

    def initialize(self, image_path, region):
        objects, _ = self.client.initialize({'color': FileImage.create(image_path)}, [(region, {})], {})
        return [list(r.bounds()) for r, _ in objects]

    def frame(self, image_path):
        objects, _ = self.client.frame({'color': FileImage.create(image_path)}, {}, [])
        return [list(r.bounds()) for r, _ in objects]

    def close(self, quit=True):
        if quit:
            self.client.quit()
        rc = self.proc.wait(timeout=TIMEOUT)
        self._watchdog.cancel()
        self._reader.join(timeout=10)
        assert not self.killed, 'the tracker process hung'
        return rc, b''.join(self._stderr).decode(errors='replace')


@pytest.fixture
def frame_files(tmp_path):
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, size=(60, 80, 3)).astype(np.uint8) for _ in range(5)]
    return _write_frames(str(tmp_path / 'frames'), frames)


def test_firstbox_over_trax_vot2018(pyt_env, frame_files):
    s = TraxSession([RUN_VOT, 'firstbox', 'default'])
    assert sorted(s.client.region_formats) == ['polygon', 'rectangle']
    assert s.client.image_formats == ['path'] and s.client.tracker_name == 'firstbox_default'
    # polygon init -> preserve_area box (firstbox's parameters do not set a conversion type: preserve_area)
    assert s.initialize(frame_files[0], Polygon.create(ROTATED)) == [[14.5, 14.5, 21, 21]]
    assert s.frame(frame_files[1]) == [[14.5, 14.5, 21, 21]]
    assert s.frame(frame_files[2]) == [[14.5, 14.5, 21, 21]]
    # a reset (supervised experiment): re-initialised in the same session, here with a rectangle
    assert s.initialize(frame_files[3], Rectangle.create(3, 4, 10.5, 20.25)) == [[3, 4, 10.5, 20.25]]
    assert s.frame(frame_files[4]) == [[3, 4, 10.5, 20.25]]
    rc, err = s.close()
    assert rc == 0, err


def test_firstbox_over_trax_vot2020_rectangles_only(pyt_env, frame_files):
    s = TraxSession([RUN_VOT, 'firstbox', 'default', '--vot2020'])
    assert s.client.region_formats == ['rectangle']
    # the client turns a polygon into its bounding rectangle (the VOT2020 convention): no preserve_area here
    assert s.initialize(frame_files[0], Polygon.create(ROTATED)) == [[10, 10, 30, 30]]
    assert s.frame(frame_files[1]) == [[10, 10, 30, 30]]
    rc, err = s.close()
    assert rc == 0, err


def test_failure_while_tracking_is_reported_to_the_toolkit(pyt_env, frame_files, tmp_path):
    s = TraxSession([RUN_VOT, 'firstbox', 'default'])
    s.initialize(frame_files[0], Rectangle.create(3, 4, 10, 20))
    with pytest.raises(TraxException, match='Server terminated the session: FileNotFoundError: Could not read image'):
        s.frame(str(tmp_path / 'missing.jpg'))
    rc, err = s.close(quit=False)
    assert rc == 1
    assert 'tracker failed, reported to the toolkit' in err
    assert err.strip().splitlines()[-1].startswith('run_vot: error: FileNotFoundError: Could not read image')


def test_failure_in_initialize_is_reported_to_the_toolkit(pyt_env, frame_files):
    launcher = ('import evaltest_fake_tracker as ft; ft.register(); import pytracking.run_vot as rv; '
                'rv.run_vot("faketrk", "default")')
    s = TraxSession(['-c', launcher], env={'FAKE_TRACKER_FAIL_WIDTH': '10'})
    with pytest.raises(TraxException, match='RuntimeError: fake tracker failure on purpose'):
        s.initialize(frame_files[0], Rectangle.create(3, 4, 10, 20))
    rc, _ = s.close(quit=False)
    assert rc == 1


def test_missing_network_fails_with_one_line_before_the_handshake(pyt_env, tmp_path):
    empty = tmp_path / 'no_networks'
    empty.mkdir()
    env = dict(os.environ, PYTRACKING_NETWORK_PATH=str(empty), PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    p = subprocess.run([sys.executable, RUN_VOT, 'atom', 'default_vot'], cwd=REPO, env=env, stdin=subprocess.PIPE,
                       capture_output=True, timeout=TIMEOUT)
    assert p.returncode == 1
    assert p.stdout == b''   # no TraX hello (@@TRAX:hello) was sent
    errors = [line for line in p.stderr.decode().splitlines() if line.startswith('run_vot: error:')]
    assert len(errors) == 1, p.stderr.decode()
    assert 'atom default_vot could not start' in errors[0] and 'atom_default.pth' in errors[0]
    assert 'Traceback' not in p.stderr.decode()


# ------------------------------------------------------------------------------------------------------------
# ATOM (random-init network) over TraX against a direct run
# ------------------------------------------------------------------------------------------------------------
SMALL_PARAM = 'vottest_small'


def _small_atom_vot_parameters():
    """default_vot with a 128x128 sample, on the CPU, seeded, with a random-init (seeded) ResNet-18 ATOM net."""
    import torch

    from ltr.models.bbreg.atom import atom_resnet18
    from pytracking.parameter.atom.default_vot import parameters
    torch.set_num_threads(1)
    params = parameters()
    params.use_gpu = False
    params.seed = 0
    params.max_image_sample_size = (8 * 16) ** 2
    params.min_image_sample_size = (8 * 16) ** 2
    rng_state = torch.get_rng_state()
    torch.manual_seed(1)
    net = atom_resnet18(backbone_pretrained=False).eval()
    torch.set_rng_state(rng_state)
    params.features.features[0].net_path = net
    return params


def register_small_atom():
    """Registers `pytracking.parameter.atom.vottest_small` (used in the tracker subprocess and in the test)."""
    import pytracking.parameter.atom  # noqa: F401
    mod = types.ModuleType('pytracking.parameter.atom.' + SMALL_PARAM)
    mod.parameters = _small_atom_vot_parameters
    sys.modules[mod.__name__] = mod
    return mod


@pytest.fixture(scope='module')
def atom_video(tmp_path_factory):
    from atom_test_utils import make_video
    frames, boxes = make_video(num_frames=5)
    return _write_frames(str(tmp_path_factory.mktemp('vot_atom')), frames), boxes


def test_atom_over_trax_matches_a_direct_run(pyt_env, atom_video, monkeypatch):
    import torch

    from pytracking.evaluation.data import Sequence
    from pytracking.evaluation.tracker import Tracker
    paths, boxes = atom_video
    x, y, w, h = boxes[0]
    # the initial region: a polygon (VOT2018), slightly rotated around the target
    polygon = [(x - 2., y + 2.), (x + w - 2., y - 2.), (x + w + 2., y + h - 2.), (x + 2., y + h + 2.)]
    init_box = convert_vot_anno_to_rect(_flat(polygon), 'preserve_area')

    launcher = ('import sys, test_vot; test_vot.register_small_atom(); import pytracking.run_vot as rv; '
                'rv.run_vot("atom", "{}")'.format(SMALL_PARAM))
    s = TraxSession(['-c', launcher])
    reported = s.initialize(paths[0], Polygon.create(polygon))
    reported += [s.frame(p)[0] for p in paths[1:]]
    rc, err = s.close()
    assert rc == 0, err

    monkeypatch.setitem(sys.modules, 'pytracking.parameter.atom.' + SMALL_PARAM, register_small_atom())
    threads = torch.get_num_threads()
    try:
        direct = Tracker('atom', SMALL_PARAM).run_sequence(Sequence('v', paths, 'vot', np.array([init_box] * 5)))
    finally:
        torch.set_num_threads(threads)
    expected = direct['target_bbox']
    assert len(expected) == len(reported) == 5
    np.testing.assert_allclose(reported[0], init_box, atol=1e-4)
    # TraX sends 4 decimals; the tracker moved (the boxes are not all the initial one)
    np.testing.assert_allclose(np.array(reported), np.array(expected), atol=2e-4)
    assert not np.allclose(np.array(expected[1:]), np.array(init_box))
