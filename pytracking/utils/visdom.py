"""Optional Visdom debug display (`pip install visdom`; see env_data_peers.md for running its server offline).

`Visdom(debug, ui_info, visdom_info)` connects to `visdom_info['server']:visdom_info['port']` (default
127.0.0.1:8097); `register(data, mode, debug_level, title)` shows data when `debug >= debug_level`.
Modes: 'Tracking' (image, box..., [mask]), 'image', 'heatmap', 'info_dict', 'text', 'lineplot', 'bbreg'
(image, boxes). Without the `visdom` package, constructing `Visdom` raises ImportError and the tracker falls
back to matplotlib.
"""
import numpy as np


def _to_numpy(x):
    if hasattr(x, 'detach'):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _draw_boxes(image, boxes, colors=((0, 255, 0), (255, 0, 0), (0, 0, 255), (255, 255, 0))):
    import cv2
    im = np.ascontiguousarray(_to_numpy(image).astype(np.uint8).copy())
    for i, box in enumerate(boxes):
        if box is None:
            continue
        x, y, w, h = [int(v) for v in _to_numpy(box).reshape(-1)[:4]]
        cv2.rectangle(im, (x, y), (x + w, y + h), colors[i % len(colors)], 2)
    return im


class Visdom:
    def __init__(self, debug=0, ui_info=None, visdom_info=None):
        try:
            import visdom
        except ImportError as e:
            raise ImportError('visdom is not installed (pip install visdom); it is optional') from e
        visdom_info = {} if visdom_info is None else visdom_info
        self.debug = debug
        self.visdom = visdom.Visdom(server='http://' + visdom_info.get('server', '127.0.0.1'),
                                    port=visdom_info.get('port', 8097), raise_exceptions=True)
        if not self.visdom.check_connection():
            raise ConnectionError('No visdom server at {}:{}'.format(visdom_info.get('server', '127.0.0.1'),
                                                                     visdom_info.get('port', 8097)))
        self.ui_info = ui_info
        self.windows = {}
        if ui_info is not None and 'handler' in ui_info:
            try:
                self.visdom.register_event_handler(ui_info['handler'], ui_info.get('win_id', 'Tracking'))
            except Exception:  # the window may not exist yet; key events are then unavailable
                pass

    def register(self, data, mode, debug_level=0, title='Data', **kwargs):
        if self.debug < debug_level:
            return
        if mode == 'Tracking' or mode == 'bbreg':
            image, boxes = data[0], list(data[1:])
            last = _to_numpy(boxes[-1]) if boxes else None
            if last is not None and last.ndim >= 2 and last.shape[:2] == _to_numpy(image).shape[:2]:
                boxes = boxes[:-1]  # a segmentation mask: not drawn
            im = _draw_boxes(image, boxes)
            self.visdom.image(im.transpose(2, 0, 1), win=title, opts={'title': title})
        elif mode == 'image':
            im = _to_numpy(data)
            if im.ndim == 3 and im.shape[-1] == 3:
                im = im.transpose(2, 0, 1)
            self.visdom.image(im, win=title, opts={'title': title})
        elif mode == 'heatmap':
            self.visdom.heatmap(np.flipud(_to_numpy(data).astype(float)), win=title, opts={'title': title})
        elif mode == 'info_dict':
            text = '<br>'.join('<b>{}</b>: {}'.format(k, v) for k, v in data.items())
            self.visdom.text(text, win=title, opts={'title': title})
        elif mode == 'text':
            self.visdom.text(str(data), win=title, opts={'title': title})
        elif mode == 'lineplot':
            y = _to_numpy(data).reshape(-1).astype(float)
            self.visdom.line(Y=y, X=np.arange(len(y)), win=title, opts={'title': title})
        else:
            raise ValueError('Visdom.register: unknown mode {!r}'.format(mode))
