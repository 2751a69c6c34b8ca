"""Hand-computed cases for cropping, IoU, box perturbation and densities."""
import math
import random

import numpy as np
import pytest
import scipy.stats
import torch

import ltr.data.processing_utils as prutils
from ltr.data.bounding_box_utils import masks_to_bboxes, masks_to_bboxes_multi, rect_to_rel, rel_to_rect


def arange_image(h=100, w=100):
    """Every pixel holds a unique value (float32 so nothing saturates)."""
    return np.arange(h * w * 3, dtype=np.float32).reshape(h, w, 3)


def test_iou_hand_values():
    ref = torch.tensor([[0.0, 0.0, 10.0, 10.0]])
    props = torch.tensor([[5.0, 5.0, 10.0, 10.0], [20.0, 20.0, 5.0, 5.0], [0.0, 0.0, 10.0, 10.0],
                          [0.0, 0.0, 5.0, 10.0]])
    assert prutils.iou(ref, props).tolist() == pytest.approx([25 / 175, 0.0, 1.0, 0.5])


def test_sample_target_inside_image_is_a_plain_slice():
    im = arange_image()
    crop, rf = prutils.sample_target(im, torch.tensor([40.0, 40.0, 10.0, 10.0]), 2.0)
    # crop_sz = ceil(sqrt(100)*2) = 20, x1 = y1 = round(45 - 10) = 35
    assert rf == 1.0
    assert np.array_equal(crop, im[35:55, 35:55])


def test_sample_target_replicates_outside_and_resizes():
    im = arange_image()
    crop, rf = prutils.sample_target(im, torch.tensor([0.0, 0.0, 10.0, 10.0]), 2.0)
    # x1 = y1 = round(5 - 10) = -5: 5 replicated rows/cols on the top/left
    assert crop.shape == (20, 20, 3)
    assert np.array_equal(crop[5:, 5:], im[0:15, 0:15])
    assert np.array_equal(crop[0, 0], im[0, 0])
    assert np.array_equal(crop[2, 7], im[0, 2])

    resized, rf = prutils.sample_target(im, torch.tensor([40.0, 40.0, 10.0, 10.0]), 2.0, output_sz=40)
    assert rf == 2.0 and resized.shape == (40, 40, 3)


def test_sample_target_right_border_quirk_and_fix():
    im = arange_image()
    box = torch.tensor([85.0, 40.0, 10.0, 10.0])  # crop x range [80, 100): touches the right border exactly
    crop, _ = prutils.sample_target(im, box, 2.0)
    # pytracking pads one column too many: the last column replicates image column 98, not 99
    assert np.array_equal(crop[:, 19], im[35:55, 98])
    assert np.array_equal(crop[:, :19], im[35:55, 80:99])
    exact, _ = prutils.sample_target(im, box, 2.0, exact_border=True)
    assert np.array_equal(exact, im[35:55, 80:100])


def test_sample_target_errors_name_the_problem():
    with pytest.raises(Exception, match='Too small bounding box'):
        prutils.sample_target(arange_image(), torch.tensor([10.0, 10.0, 0.0, 0.0]), 5.0)
    with pytest.raises(ValueError, match='4 values'):
        prutils.sample_target(arange_image(), torch.tensor([10.0, 10.0, 5.0]), 5.0)
    with pytest.raises(ValueError, match='numpy image'):
        prutils.sample_target(torch.zeros(3, 10, 10), torch.tensor([1.0, 1.0, 5.0, 5.0]), 2.0)


def test_sample_target_with_mask_zero_pads():
    im = arange_image(30, 30)
    mask = torch.ones(30, 30)
    crop, rf, mask_crop = prutils.sample_target(im, torch.tensor([0.0, 0.0, 10.0, 10.0]), 2.0, mask=mask)
    assert mask_crop.shape == (20, 20)
    assert mask_crop[:5].sum() == 0 and mask_crop[:, :5].sum() == 0 and mask_crop[5:, 5:].min() == 1


def test_transform_image_to_crop_hand_values():
    box_ex = torch.tensor([40.0, 40.0, 10.0, 10.0])
    crop_sz = torch.Tensor([40, 40])
    same = prutils.transform_image_to_crop(box_ex, box_ex, 2.0, crop_sz)
    assert same.tolist() == pytest.approx([9.5, 9.5, 20.0, 20.0])  # centre (40-1)/2 = 19.5, size 20
    shifted = prutils.transform_image_to_crop(torch.tensor([45.0, 38.0, 4.0, 6.0]), box_ex, 2.0, crop_sz)
    # centre (47, 41) vs (45, 45): offset (+2, -4) -> (+4, -8) in the crop, centre (23.5, 11.5), size (8, 12)
    assert shifted.tolist() == pytest.approx([19.5, 5.5, 8.0, 12.0])


def test_jittered_center_crop_box_lands_on_painted_pixels():
    im = np.zeros((120, 160, 3), dtype=np.uint8)
    im[50:70, 60:90] = 255  # rows 50..69, cols 60..89
    gt = torch.tensor([59.5, 49.5, 30.0, 20.0])
    extract = torch.tensor([50.0, 45.0, 30.0, 20.0])  # off-centre extraction box
    crops, boxes, masks = prutils.jittered_center_crop([im], [extract], [gt], 3.0, 64)
    assert masks is None and crops[0].shape == (64, 64, 3)
    ys, xs = np.nonzero(crops[0][..., 0] > 127)
    content = [xs.min() - 0.5, ys.min() - 0.5, xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
    assert boxes[0].tolist() == pytest.approx(content, abs=1.0)


def test_perturb_box_respects_min_iou_and_reports_it():
    random.seed(0)
    torch.manual_seed(0)
    box = torch.tensor([30.0, 40.0, 50.0, 20.0])
    for sigma in ([0.01, 0.05, 0.1, 0.2, 0.3], 0.5, torch.tensor([0.1, 0.1, 0.3, 0.3])):
        for _ in range(30):
            per, box_iou = prutils.perturb_box(box, min_iou=0.4, sigma_factor=sigma)
            # independent IoU (numpy, corner form)
            ax1, ay1, ax2, ay2 = 30.0, 40.0, 80.0, 60.0
            bx1, by1 = per[0].item(), per[1].item()
            bx2, by2 = bx1 + per[2].item(), by1 + per[3].item()
            inter = max(0.0, min(ax2, bx2) - max(ax1, bx1)) * max(0.0, min(ay2, by2) - max(ay1, by1))
            union = 50 * 20 + per[2].item() * per[3].item() - inter
            assert box_iou.item() == pytest.approx(inter / union, rel=1e-5)
            assert box_iou.item() > 0.4
            assert per[2] > 1 and per[3] > 1


def test_rand_uniform_range_and_shape():
    torch.manual_seed(0)
    x = prutils.rand_uniform(2.0, 3.0, (1000,))
    assert x.shape == (1000,) and x.min() >= 2.0 and x.max() < 3.0


def test_gauss_densities_match_scipy():
    x = torch.linspace(-3, 3, 13, dtype=torch.float64)
    assert np.allclose(prutils.gauss_density_centered(x, 0.7).numpy(), scipy.stats.norm.pdf(x.numpy(), scale=0.7))
    std = torch.tensor([[0.5, 2.0], [1.0, 0.25]], dtype=torch.float64)  # 2 dims x 2 components
    pts = torch.tensor([[0.1, -0.2], [1.0, 0.5]], dtype=torch.float64)
    expected = [0.5 * (scipy.stats.norm.pdf(p[0], scale=0.5) * scipy.stats.norm.pdf(p[1], scale=1.0) +
                       scipy.stats.norm.pdf(p[0], scale=2.0) * scipy.stats.norm.pdf(p[1], scale=0.25))
                for p in pts.tolist()]
    # std carries a leading batch dim (1, dims, components), as sample_gmm* pass it
    assert np.allclose(prutils.gmm_density_centered(pts, std.unsqueeze(0)).numpy(), expected)


def test_sample_box_gmm_mean_box_and_densities():
    torch.manual_seed(0)
    mean_box = torch.tensor([10.0, 20.0, 40.0, 30.0])
    props, prop_dens, gt_dens = prutils.sample_box_gmm(mean_box, [(0.05, 0.05), (0.5, 0.5)], gt_sigma=(0.05, 0.05),
                                                       num_samples=8, add_mean_box=True)
    assert props.shape == (9, 4) and prop_dens.shape == (9,) and gt_dens.shape == (9,)
    assert torch.allclose(props[0], mean_box)
    assert prop_dens[0] == -1 and gt_dens[0] == 1
    assert (props[1:, 2:] > 0).all() and (prop_dens[1:] > 0).all()


def test_rect_rel_conversions_hand_values():
    bb = torch.tensor([[10.0, 20.0, 4.0, 8.0]])
    rel = rect_to_rel(bb)
    assert rel[0].tolist() == pytest.approx([3.0, 3.0, math.log(4), math.log(8)])
    rel_n = rect_to_rel(bb, torch.tensor([[2.0, 4.0]]))
    assert rel_n[0, :2].tolist() == pytest.approx([6.0, 6.0])
    assert torch.allclose(rel_to_rect(rel), bb)
    assert torch.allclose(rel_to_rect(rel_n, torch.tensor([[2.0, 4.0]])), bb)


def test_masks_to_bboxes_formats():
    mask = torch.zeros(2, 8, 10)
    mask[0, 2:5, 3:7] = 1  # rows 2..4, cols 3..6
    assert masks_to_bboxes(mask, fmt='v')[0].tolist() == [3, 2, 6, 4]
    assert masks_to_bboxes(mask, fmt='t')[0].tolist() == [3, 2, 4, 3]
    assert masks_to_bboxes(mask, fmt='c')[0].tolist() == [5, 3.5, 4, 3]
    assert masks_to_bboxes(mask, fmt='t')[1].tolist() == [0, 0, 1, 1]  # empty mask: zero extent, +1 size
    labels = torch.zeros(8, 10)
    labels[1:3, 1:2] = 2
    assert masks_to_bboxes_multi(labels, [2], fmt='t')[0].tolist() == [1, 1, 1, 2]
    with pytest.raises(ValueError, match='layout'):
        masks_to_bboxes(mask, fmt='x')


def test_sample_target_adaptive_replicate_and_inside():
    im = arange_image(60, 80)
    box = torch.tensor([30.0, 20.0, 10.0, 10.0])
    # output 40x20 (w x h): crop of area (2*10)^2 with aspect 2:1 -> ceil(20*sqrt(2)) x ceil(10*sqrt(2)) = 29 x 15
    crop, crop_box = prutils.sample_target_adaptive(im, box, 2.0, (40, 20))
    assert crop.shape == (20, 40, 3)
    assert crop_box.tolist() == [round(35 - 14.5), round(25 - 7.5), 29, 15]
    # far outside on the left with mode 'inside': shifted to start at 0, same size
    _, inside_box = prutils.sample_target_adaptive(im, torch.tensor([-5.0, 20.0, 10.0, 10.0]), 2.0, (40, 20),
                                                   mode='inside')
    assert inside_box[0] == 0 and inside_box[2] == 29
    # a crop larger than the image is shrunk to fit
    _, big_box = prutils.sample_target_adaptive(im, torch.tensor([30.0, 20.0, 30.0, 30.0]), 4.0, 40, mode='inside')
    assert big_box[2] <= 80 and big_box[3] <= 60 and big_box[0] >= 0 and big_box[1] >= 0
    with pytest.raises(ValueError, match='mode'):
        prutils.sample_target_adaptive(im, box, 2.0, 40, mode='reflect')


def test_target_image_crop_box_lands_on_painted_pixels():
    im = np.zeros((120, 160, 3), dtype=np.uint8)
    im[50:70, 60:90] = 255
    gt = torch.tensor([60.0, 50.0, 30.0, 20.0])  # corner convention for the crop-box mapping
    crops, boxes = prutils.target_image_crop([im], [gt], [gt], 3.0, (96, 64))
    assert crops[0].shape == (64, 96, 3)
    ys, xs = np.nonzero(crops[0][..., 0] > 127)
    content = [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
    assert boxes[0].tolist() == pytest.approx(content, abs=1.0)


def test_crop_and_resize_and_crop_region():
    im = arange_image(50, 50)
    out, box = prutils.crop_and_resize(im, torch.tensor([12.0, 14.0, 4.0, 6.0]), torch.tensor([10, 10, 20, 20]), 40)
    assert out.shape == (40, 40, 3)
    assert box.tolist() == [4.0, 8.0, 8.0, 12.0]
    region = prutils.sample_target_from_crop_region(im, torch.tensor([10, 10, 20, 20]), 20)
    assert np.array_equal(region, im[10:30, 10:30])
    assert prutils.transform_box_to_crop(torch.tensor([12.0, 14.0, 4.0, 6.0]), torch.tensor([10.0, 10.0, 20.0, 20.0]),
                                         torch.tensor([40.0, 40.0])).tolist() == [4.0, 8.0, 8.0, 12.0]


def test_gaussian_label_peaks_at_target_centre():
    # target centred in a 288 image, 18x18 features, even kernel 4: grid -8.5..9.5 (19 points), centre at +0.5
    bb = torch.tensor([[134.0, 134.0, 20.0, 20.0]])
    label = prutils.gaussian_label_function(bb, 0.25, 4, 18, 288)
    assert label.shape == (1, 19, 19)
    assert divmod(label[0].argmax().item(), 19) == (9, 9)
    assert label[0, 9, 9].item() == pytest.approx(1.0)
    sigma = 0.25 * 18
    assert label[0, 9, 10].item() == pytest.approx(math.exp(-1 / (2 * sigma ** 2)), rel=1e-5)


def test_find_local_maxima_sorted():
    scores = torch.zeros(1, 1, 9, 9)
    scores[0, 0, 2, 3] = 0.5
    scores[0, 0, 6, 6] = 0.9
    scores[0, 0, 6, 7] = 0.2  # not a maximum (next to 0.9)
    coords, values = prutils.find_local_maxima(scores, 0.1, 3)
    assert coords.tolist() == [[6, 6], [2, 3]]
    assert values.tolist() == pytest.approx([0.9, 0.5])


def _reference_perturb_box(box, min_iou, sigma_factor):
    """Slow reference: the algorithm as the inventory describes it, with 0-d tensors throughout."""
    c = random.choice(sigma_factor) if isinstance(sigma_factor, list) else sigma_factor
    if not isinstance(c, torch.Tensor):
        c = c * torch.ones(4)
    pf = torch.sqrt(box[2] * box[3]) * c
    for _ in range(100):
        cx, cy = box[0] + 0.5 * box[2], box[1] + 0.5 * box[3]
        cxp, cyp = random.gauss(cx, pf[0]), random.gauss(cy, pf[1])
        wp, hp = random.gauss(box[2], pf[2]), random.gauss(box[3], pf[3])
        if wp <= 1:
            wp = box[2] * (0.35 * torch.rand(1) + 0.15)
        if hp <= 1:
            hp = box[3] * (0.35 * torch.rand(1) + 0.15)
        bp = torch.Tensor([float(cxp - 0.5 * wp), float(cyp - 0.5 * hp), float(wp), float(hp)]).round()
        if bp[2] <= 1:
            bp[2] = box[2] * (0.35 * torch.rand(1) + 0.15)
        if bp[3] <= 1:
            bp[3] = box[3] * (0.35 * torch.rand(1) + 0.15)
        tl = torch.max(box[:2], bp[:2])
        br = torch.min(box[:2] + box[2:], bp[:2] + bp[2:])
        inter = (br - tl).clamp(0).prod()
        bi = inter / (box[2:].prod() + bp[2:].prod() - inter)
        if bi > min_iou:
            return bp, bi
        pf = pf * 0.9
    return bp, bi


@pytest.mark.parametrize('box', [[100.3, 80.7, 40.2, 30.9], [10.0, 10.0, 3.0, 2.5], [140.0, 140.0, 9.0, 60.0]])
def test_perturb_box_matches_slow_reference_draw_for_draw(box):
    box = torch.tensor(box)
    sigma = [0.01, 0.05, 0.1, 0.2, 0.3]
    for min_iou in (0.1, 0.7):
        random.seed(7)
        torch.manual_seed(7)
        ref = [_reference_perturb_box(box, min_iou, sigma) for _ in range(60)]
        random.seed(7)
        torch.manual_seed(7)
        ours = [prutils.perturb_box(box, min_iou, sigma) for _ in range(60)]
        for (rb, ri), (ob, oi) in zip(ref, ours):
            assert torch.equal(rb, ob)
            assert oi.item() == pytest.approx(ri.item(), rel=1e-6)


def test_sample_target_rejects_nan_and_negative_boxes():
    for bad in ([float('nan'), 1.0, 5.0, 5.0], [1.0, 1.0, -5.0, -5.0]):
        with pytest.raises(ValueError, match='invalid box'):
            prutils.sample_target(arange_image(), torch.tensor(bad), 2.0)
