"""Image loaders: RGB uint8 HxWx3, errors naming the file, jpeg4py -> OpenCV fallback with one warning."""
import warnings

import numpy as np
import pytest
from PIL import Image

from ltr.data import image_loader as il

LOADERS = [il.opencv_loader, il.pil_loader, il.jpeg4py_loader, il.jpeg4py_loader_w_failsafe, il.default_image_loader]


@pytest.fixture
def rgb_png(tmp_path):
    """A lossless image with known pixel values: red, green, blue and a gray ramp."""
    img = np.zeros((6, 8, 3), np.uint8)
    img[0, 0] = (255, 0, 0)
    img[0, 1] = (0, 255, 0)
    img[0, 2] = (0, 0, 255)
    img[1] = np.arange(8)[:, None] * 30
    path = tmp_path / 'known.png'
    Image.fromarray(img).save(path)
    return str(path), img


@pytest.fixture
def photo_jpeg(tmp_path):
    import skimage.data
    path = tmp_path / 'chelsea.jpg'
    Image.fromarray(skimage.data.chelsea()).save(path, quality=90)
    return str(path)


@pytest.fixture(autouse=True)
def fresh_loader_state(monkeypatch):
    """Each test decides jpeg4py availability anew."""
    monkeypatch.setattr(il, '_jpeg4py_state', {'checked': False, 'usable': False, 'reason': ''})
    monkeypatch.setattr(il.default_image_loader, 'use_jpeg4py', None)


@pytest.mark.parametrize('loader', LOADERS)
def test_lossless_file_gives_exact_rgb(loader, rgb_png):
    path, expected = rgb_png
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        im = loader(path)
    assert im.dtype == np.uint8 and im.shape == (6, 8, 3)
    np.testing.assert_array_equal(im, expected)


@pytest.mark.parametrize('loader', LOADERS)
def test_jpeg_matches_pil_decoder(loader, photo_jpeg):
    reference = np.asarray(Image.open(photo_jpeg).convert('RGB'))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        im = loader(photo_jpeg)
    assert im.shape == reference.shape == (300, 451, 3)
    # libjpeg builds may differ by a rounding step; colour order and geometry must match
    assert np.abs(im.astype(int) - reference).max() <= 2


def test_grayscale_file_becomes_three_channels(tmp_path):
    path = tmp_path / 'gray.png'
    Image.fromarray(np.full((4, 5), 77, np.uint8)).save(path)
    for loader in (il.opencv_loader, il.pil_loader):
        im = loader(str(path))
        assert im.shape == (4, 5, 3) and (im == 77).all()


@pytest.mark.parametrize('loader', LOADERS + [il.opencv_seg_loader])
@pytest.mark.parametrize('kind', ['missing', 'garbage', 'empty', 'directory'])
def test_unreadable_file_raises_naming_the_file(loader, kind, tmp_path):
    path = tmp_path / 'frame_00000042.jpg'
    if kind == 'garbage':
        path.write_bytes(b'this is not an image' * 10)
    elif kind == 'empty':
        path.write_bytes(b'')
    elif kind == 'directory':
        path.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with pytest.raises(il.ImageLoadError, match='frame_00000042.jpg') as info:
            loader(str(path))
    assert isinstance(info.value, OSError)
    if kind != 'garbage':
        assert {'missing': 'does not exist', 'empty': 'empty', 'directory': 'directory'}[kind] in str(info.value)


def test_jpeg4py_missing_library_falls_back_to_opencv_with_one_warning(monkeypatch, photo_jpeg):
    class BrokenJpeg4py:
        @staticmethod
        def initialize():
            raise OSError('Could not load libjpeg-turbo library')

    monkeypatch.setitem(__import__('sys').modules, 'jpeg4py', BrokenJpeg4py)
    with pytest.warns(RuntimeWarning, match='libturbojpeg0') as record:
        a = il.jpeg4py_loader(photo_jpeg)
        b = il.jpeg4py_loader(photo_jpeg)
    assert len([w for w in record if 'jpeg4py' in str(w.message)]) == 1
    np.testing.assert_array_equal(a, il.opencv_loader(photo_jpeg))
    np.testing.assert_array_equal(a, b)


def test_default_image_loader_switches_to_opencv_once(monkeypatch, capsys, photo_jpeg):
    monkeypatch.setattr(il, 'jpeg4py_available', lambda: False)
    a = il.default_image_loader(photo_jpeg)
    il.default_image_loader(photo_jpeg)
    assert capsys.readouterr().out.count('Using opencv_loader instead.') == 1
    assert il.default_image_loader.use_jpeg4py is False
    np.testing.assert_array_equal(a, il.opencv_loader(photo_jpeg))


def test_jpeg4py_decodes_when_libturbojpeg_is_installed(photo_jpeg):
    if not il.jpeg4py_available():
        pytest.skip('libturbojpeg is not installed')
    import jpeg4py
    np.testing.assert_array_equal(il.jpeg4py_loader(photo_jpeg), jpeg4py.JPEG(photo_jpeg).decode())


def test_indexed_png_round_trip_uses_the_davis_palette(tmp_path):
    labels = np.array([[0, 1, 2], [3, 1, 0]], np.uint8)
    path = tmp_path / 'mask.png'
    il.imwrite_indexed(str(path), labels)
    np.testing.assert_array_equal(il.imread_indexed(str(path)), labels)
    rgb = np.asarray(Image.open(path).convert('RGB'))
    # PASCAL VOC / DAVIS colours: 0 black, 1 (128,0,0), 2 (0,128,0), 3 (128,128,0)
    assert rgb[0, 1].tolist() == [128, 0, 0] and rgb[0, 2].tolist() == [0, 128, 0]
    assert rgb[1, 0].tolist() == [128, 128, 0]
    with pytest.raises(ValueError, match='mask.png'):
        il.imwrite_indexed(str(path), np.zeros((2, 2, 3)))
