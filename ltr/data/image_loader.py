"""Image loaders used by the ltr datasets. Every loader returns an RGB uint8 HxWx3 numpy array.

Same names and signatures as pytracking's `ltr/data/image_loader.py`, with these fixes (they only broke things):
  * pytracking's loaders print the exception and return None, which crashes much later ("NoneType has no attribute
    copy"; pytracking issues #39, #244). Ours raise `ImageLoadError` (an OSError) naming the file and the cause.
  * `jpeg4py_loader` needs the system library libturbojpeg (`apt-get install libturbojpeg0`). pytracking returns
    None for every frame without it; ours falls back to OpenCV, permanently, after one warning. A file jpeg4py
    cannot decode (e.g. a PNG) is read with OpenCV too.
  * A truncated JPEG (a copy cut short) is refused with `ImageLoadError`: OpenCV and libjpeg-turbo decode it
    "successfully", filling the missing part with grey, and only print "Premature end of JPEG file".
  * jpeg4py, OpenCV and PIL are imported lazily, so a missing optional package only matters when it is used.
"""
import os
import threading
import warnings

import numpy as np


class ImageLoadError(OSError):
    """An image file could not be read; the message names the file."""


def _fail(path, reason):
    if not os.path.exists(path):
        reason = 'file does not exist'
    elif os.path.isdir(path):
        reason = 'is a directory, not an image file'
    elif os.path.getsize(path) == 0:
        reason = 'file is empty'
    raise ImageLoadError("Could not read image file '{}': {}".format(path, reason))


def _as_rgb(im, path):
    """HxW / HxWx1 / HxWx4 -> HxWx3 uint8 (grayscale is replicated, alpha dropped)."""
    if im.ndim == 2:
        im = np.stack([im] * 3, axis=-1)
    elif im.shape[2] == 1:
        im = np.repeat(im, 3, axis=2)
    elif im.shape[2] == 4:
        im = im[..., :3]
    if im.dtype != np.uint8:
        _fail(path, 'unsupported pixel type {} (expected 8-bit)'.format(im.dtype))
    return np.ascontiguousarray(im)


_JPEG_TAIL = 1024


def _check_jpeg_complete(path):
    """A JPEG file (starting with the SOI marker FF D8) must hold its end marker FF D9 in its last kilobyte (in the
    entropy-coded data an FF byte is never followed by D9, so a file cut short has none there). Files with other
    content are left to the decoder."""
    try:
        with open(path, 'rb') as f:
            if f.read(2) != b'\xff\xd8':
                return
            size = f.seek(0, os.SEEK_END)
            f.seek(max(2, size - _JPEG_TAIL))
            tail = f.read()
    except OSError as e:
        _fail(path, str(e))
    if b'\xff\xd9' not in tail:
        _fail(path, 'truncated JPEG (no end-of-image marker): the file is damaged or was not copied completely')


# ------------------------------------------------------------------------------------------------------------------
# jpeg4py availability (checked once per process)
# ------------------------------------------------------------------------------------------------------------------
_jpeg4py_state = {'checked': False, 'usable': False, 'reason': ''}
_jpeg4py_lock = threading.Lock()


def jpeg4py_available():
    """True if jpeg4py is installed and libturbojpeg can be loaded."""
    with _jpeg4py_lock:
        if not _jpeg4py_state['checked']:
            try:
                import jpeg4py
                jpeg4py.initialize()  # loads libturbojpeg; OSError when the system library is missing
                _jpeg4py_state['usable'] = True
            except ImportError:
                _jpeg4py_state['reason'] = 'the jpeg4py package is not installed'
            except OSError as e:
                _jpeg4py_state['reason'] = '{} (install it with: apt-get install libturbojpeg0)'.format(e)
            _jpeg4py_state['checked'] = True
            if not _jpeg4py_state['usable']:
                warnings.warn('jpeg4py cannot be used: {}. Using opencv_loader instead.'
                              .format(_jpeg4py_state['reason']), RuntimeWarning, stacklevel=3)
        return _jpeg4py_state['usable']


def _jpeg4py_decode(path):
    import jpeg4py
    return jpeg4py.JPEG(path).decode()


# ------------------------------------------------------------------------------------------------------------------
# loaders
# ------------------------------------------------------------------------------------------------------------------
def opencv_loader(path):
    """Read an image with OpenCV; returns RGB uint8 HxWx3."""
    import cv2 as cv
    path = os.fspath(path)
    _check_jpeg_complete(path)
    try:
        im = cv.imread(path, cv.IMREAD_COLOR)
    except cv.error as e:
        _fail(path, 'OpenCV error: {}'.format(e))
    if im is None:
        _fail(path, 'not a readable image (corrupt or unsupported format)')
    return np.ascontiguousarray(cv.cvtColor(im, cv.COLOR_BGR2RGB))


def pil_loader(path):
    """Read an image with PIL; returns RGB uint8 HxWx3. (Ours; pytracking has no PIL loader.)"""
    from PIL import Image
    path = os.fspath(path)
    try:
        with Image.open(path) as im:
            return _as_rgb(np.asarray(im.convert('RGB')), path)
    except ImageLoadError:
        raise
    except (OSError, ValueError, SyntaxError) as e:
        _fail(path, 'PIL error: {}'.format(e))


def jpeg4py_loader(path):
    """Read a JPEG with jpeg4py (libjpeg-turbo); returns RGB uint8 HxWx3.

    Without libturbojpeg this warns once and uses `opencv_loader` from then on (pytracking returns None). A file
    jpeg4py cannot decode is retried with OpenCV; if that fails too, `ImageLoadError` names the file."""
    path = os.fspath(path)
    if not jpeg4py_available():
        return opencv_loader(path)
    if not os.path.isfile(path):
        _fail(path, 'file does not exist')
    _check_jpeg_complete(path)
    try:
        return _as_rgb(_jpeg4py_decode(path), path)
    except ImageLoadError:
        raise
    except Exception:  # e.g. a PNG or a truncated JPEG: OpenCV decides (and names the file if it fails too)
        return opencv_loader(path)


def jpeg4py_loader_w_failsafe(path):
    """jpeg4py first, then OpenCV (as pytracking). Raises `ImageLoadError` if neither can read the file."""
    return jpeg4py_loader(path)


def default_image_loader(path):
    """Uses jpeg4py if it works, else switches (permanently, with one message) to OpenCV, as pytracking does.
    The choice is kept in the function attribute `use_jpeg4py` (None = not decided yet)."""
    if default_image_loader.use_jpeg4py is None:
        default_image_loader.use_jpeg4py = jpeg4py_available()
        if not default_image_loader.use_jpeg4py:
            print('Using opencv_loader instead.')
    if default_image_loader.use_jpeg4py:
        return jpeg4py_loader(path)
    return opencv_loader(path)


default_image_loader.use_jpeg4py = None


def opencv_seg_loader(path):
    """Read a segmentation mask as stored (no colour conversion), as pytracking does. Raises on failure."""
    import cv2 as cv
    path = os.fspath(path)
    im = cv.imread(path)
    if im is None:
        _fail(path, 'not a readable image (corrupt or unsupported format)')
    return im


def imread_indexed(filename):
    """Load an indexed (palette) PNG, e.g. a DAVIS annotation, as an HxW array of indices."""
    from PIL import Image
    filename = os.fspath(filename)
    try:
        with Image.open(filename) as im:
            return np.atleast_3d(np.asarray(im))[..., 0]
    except (OSError, ValueError, SyntaxError) as e:
        _fail(filename, 'PIL error: {}'.format(e))


def davis_palette():
    """The 256-entry PASCAL VOC / DAVIS colour palette as a 256x3 uint8 array."""
    palette = np.zeros((256, 3), dtype=np.uint8)
    for i in range(256):
        c, r, g, b = i, 0, 0, 0
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        palette[i] = (r, g, b)
    return palette


def imwrite_indexed(filename, array, color_palette=None):
    """Save an HxW index array as a palette PNG (DAVIS palette by default), written atomically."""
    from PIL import Image

    from ltr.admin.atomic_io import atomic_open
    array = np.asarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim != 2:
        raise ValueError("imwrite_indexed('{}'): expected an HxW index array, got shape {}"
                         .format(filename, array.shape))
    if color_palette is None:
        color_palette = davis_palette()
    im = Image.fromarray(array.astype(np.uint8))  # mode 'L'; putpalette turns it into 'P'
    im.putpalette(np.asarray(color_palette, dtype=np.uint8).ravel().tolist())
    with atomic_open(os.fspath(filename), 'wb') as f:
        im.save(f, format='PNG')
