"""Debug plots (matplotlib, imported lazily so tracking never needs a display)."""
import numpy as np
import torch


def _plt():
    import matplotlib.pyplot as plt
    return plt


def draw_figure(fig):
    """Redraw a figure now (interactive debugging)."""
    fig.canvas.draw()
    fig.canvas.flush_events()
    _plt().pause(0.001)


def _to_image(a):
    a_np = a.squeeze().detach().cpu().clone().numpy() if isinstance(a, torch.Tensor) else np.asarray(a).squeeze()
    if a_np.ndim == 3:  # CHW -> HWC
        a_np = np.transpose(a_np, (1, 2, 0))
    return a_np


def show_tensor(a, fig_num=None, title=None, range=(None, None), ax=None):
    """Show a 2-D (or CHW) tensor as an image in figure `fig_num` (or in axes `ax`)."""
    plt = _plt()
    a_np = _to_image(a)
    if ax is None:
        fig = plt.figure(fig_num)
        plt.tight_layout()
        plt.cla()
        plt.imshow(a_np, vmin=range[0], vmax=range[1])
        plt.axis('off')
        plt.axis('equal')
        if title is not None:
            plt.title(title)
        draw_figure(fig)
    else:
        ax.cla()
        ax.imshow(a_np, vmin=range[0], vmax=range[1])
        ax.set_axis_off()
        ax.axis('equal')
        if title is not None:
            ax.set_title(title)
        draw_figure(_plt().gcf())


def plot_graph(a, fig_num=None, title=None):
    """Plot a 1-D tensor as a line."""
    plt = _plt()
    a_np = a.squeeze().detach().cpu().clone().numpy() if isinstance(a, torch.Tensor) else np.asarray(a).squeeze()
    if a_np.ndim > 1:
        raise ValueError('plot_graph: expected a 1-D tensor, got shape {}'.format(a_np.shape))
    fig = plt.figure(fig_num)
    plt.cla()
    plt.plot(a_np)
    if title is not None:
        plt.title(title)
    draw_figure(fig)


def show_image_with_boxes(im, boxes, iou_pred=None, disp_ids=None):
    """Show an image tensor (3xHxW or 1x3xHxW, 0-255) with [x, y, w, h] boxes, optionally labelled by IoU."""
    import cv2 as cv
    im_np = _to_image(im).astype(np.float64).copy()
    im_np = np.ascontiguousarray(np.clip(im_np, 0, 255).astype(np.uint8))
    boxes = boxes.view(-1, 4).cpu().numpy().round().astype(int)
    for i_ in range(boxes.shape[0]):
        if disp_ids is None or disp_ids[i_]:
            bb = boxes[i_, :]
            cv.rectangle(im_np, (int(bb[0]), int(bb[1])), (int(bb[0] + bb[2]), int(bb[1] + bb[3])), (255, 0, 0), 1)
            if iou_pred is not None:
                cv.putText(im_np, '%i: %.2f' % (i_, float(iou_pred[i_])), (int(bb[0]), int(bb[1])),
                           cv.FONT_HERSHEY_SIMPLEX, 0.5, (0, 255, 0), 1)
    show_tensor(torch.from_numpy(im_np).permute(2, 0, 1).float(), fig_num=1, range=(0, 255))


def _pascal_color_map(N=256, normalized=False):
    """The PASCAL VOC palette: colour i is built from the bits of i spread over the three channels."""
    def bit(val, idx):
        return (val >> idx) & 1

    cmap = np.zeros((N, 3), dtype='float32' if normalized else 'uint8')
    for i in np.arange(N):
        r = g = b = 0
        c = i
        for j in np.arange(8):
            r |= bit(c, 0) << (7 - j)
            g |= bit(c, 1) << (7 - j)
            b |= bit(c, 2) << (7 - j)
            c >>= 3
        cmap[i] = np.array([r, g, b])
    return cmap / 255 if normalized else cmap


def overlay_mask(im, ann, alpha=0.5, colors=None, contour_thickness=None):
    """Blend a label map `ann` (HxW ints, 0 = background) over an RGB image (HxWx3 uint8)."""
    import cv2 as cv
    im, ann = np.asarray(im, dtype=np.uint8), np.asarray(ann, dtype=np.int64)
    if im.shape[:-1] != ann.shape:
        raise ValueError('overlay_mask: image {} and mask {} differ in size'.format(im.shape[:-1], ann.shape))
    colors = _pascal_color_map() if colors is None else np.asarray(colors, dtype=np.uint8)
    mask = colors[ann]
    fg = im * alpha + (1 - alpha) * mask
    img = im.copy()
    img[ann > 0] = fg[ann > 0]
    if contour_thickness:
        for obj_id in np.unique(ann[ann > 0]):
            contours = cv.findContours((ann == obj_id).astype(np.uint8), cv.RETR_TREE, cv.CHAIN_APPROX_SIMPLE)[-2:]
            cv.drawContours(img, contours[0], -1, colors[obj_id].tolist(), contour_thickness)
    return img
