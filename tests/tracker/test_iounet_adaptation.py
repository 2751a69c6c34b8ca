"""First-frame fit of the IoU head (params.iounet_adapt_steps, ours): the proposals are ATOM's training proposals,
the fit lowers the error on proposals it never saw, and neither the shared network nor the default tracker changes."""
import copy

import pytest
import torch

from atom_test_utils import make_video, small_params
from ltr.data.processing_utils import iou as ltr_iou
from ltr.models.bbreg.atom_iou_net import AtomIoUNet
from pytracking.tracker.atom import get_tracker_class
from pytracking.tracker.atom.iounet_adaptation import adapt_iou_head, sample_proposals


def _state(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


def test_sampled_proposals_overlap_the_box_like_atoms_training_proposals():
    box = torch.tensor([40.0, 30.0, 50.0, 20.0])
    torch.manual_seed(0)
    proposals, iou = sample_proposals(box, 600)
    torch.manual_seed(0)
    again, _ = sample_proposals(box, 600)
    assert torch.equal(proposals, again)
    assert proposals.shape == (600, 4) and (proposals[:, 2:] >= 1).all()
    torch.testing.assert_close(iou, ltr_iou(box.view(1, 4), proposals))   # the IoU of the returned proposals
    assert (iou > 0.1).all()
    # Both tight (sigma 0.01) and loose (sigma 0.3) proposals, smaller and larger than the box.
    assert (iou > 0.95).float().mean() > 0.1 and (iou < 0.5).float().mean() > 0.1
    log_w = torch.log(proposals[:, 2] / box[2])
    assert (log_w < -0.2).any() and (log_w > 0.2).any()


@pytest.fixture(scope='module')
def small_iounet():
    torch.manual_seed(0)
    net = AtomIoUNet(input_dim=(8, 16), pred_input_dim=(16, 16), pred_inter_dim=(16, 16), branch_dim=16).eval()
    feats = [torch.randn(1, 8, 24, 24), torch.randn(1, 16, 12, 12)]
    box = torch.tensor([70.0, 60.0, 50.0, 40.0])
    with torch.no_grad():
        modulation = net.get_modulation(feats, box.view(1, 4))
    return net, feats, box, modulation


def test_pooled_halves_compose_to_predict_iou(small_iounet):
    net, feats, box, modulation = small_iounet
    proposals = sample_proposals(box, 7)[0].view(1, 7, 4)
    with torch.no_grad():
        feat = net.get_iou_feat(feats)
        whole = net.predict_iou(modulation, feat, proposals)
        halves = net.predict_iou_from_pooled(net.pool_proposals(modulation, feat, proposals)).view(1, 7)
    assert torch.equal(whole, halves)


def test_fit_lowers_the_error_on_unseen_proposals_and_leaves_the_network(small_iounet):
    net, feats, box, modulation = small_iounet
    before = _state(net)
    torch.manual_seed(1)
    adapted, losses = adapt_iou_head(net, [m.view(-1) for m in modulation], feats, box, steps=150,
                                     num_proposals=128, lr=3e-3)
    assert losses[1] < 0.5 * losses[0]
    for k, v in net.state_dict().items():          # the shared network is untouched
        assert torch.equal(v, before[k]), k
    assert adapted is not net and not any(p.requires_grad for p in adapted.parameters())
    changed = {k.split('.')[0] for k, v in adapted.state_dict().items() if not torch.equal(v, before[k])}
    assert changed == {'fc3_rt', 'fc4_rt', 'iou_predictor'}

    # Proposals the fit never saw: the adapted head's squared error against 2 * IoU - 1 is lower.
    torch.manual_seed(123)
    held_out, iou = sample_proposals(box, 256)
    target = 2 * iou - 1
    with torch.no_grad():
        errors = []
        for head in (net, adapted):
            pred = head.predict_iou(modulation, head.get_iou_feat(feats), held_out.view(1, -1, 4)).view(-1)
            errors.append((pred - target).pow(2).mean().item())
    assert errors[1] < 0.7 * errors[0]


def _track(net, **overrides):
    frames, boxes = make_video(num_frames=4)
    tracker = get_tracker_class()(small_params(net, seed=0, **overrides))
    tracker.initialize(frames[0], {'init_bbox': boxes[0]})
    return tracker, [tracker.track(f)['target_bbox'] for f in frames[1:]]


def test_tracker_fits_a_copy_and_default_parameters_do_not_fit(random_atom_net):
    torch.set_num_threads(1)
    before = _state(random_atom_net)
    tracker, boxes = _track(random_atom_net, iounet_adapt_steps=5)
    assert tracker.iou_predictor is not random_atom_net.bb_regressor
    assert len(tracker.iounet_adapt_loss) == 2
    for k, v in random_atom_net.state_dict().items():
        assert torch.equal(v, before[k]), k
    assert all(len(b) == 4 for b in boxes)

    default_tracker, _ = _track(random_atom_net)
    assert default_tracker.params.iounet_adapt_steps == 0
    assert default_tracker.iou_predictor is random_atom_net.bb_regressor
    assert not hasattr(default_tracker, 'iounet_adapt_loss')


def test_fit_on_a_copy_is_reproducible(random_atom_net):
    torch.set_num_threads(1)
    a = _track(copy.deepcopy(random_atom_net), iounet_adapt_steps=3)[1]
    b = _track(copy.deepcopy(random_atom_net), iounet_adapt_steps=3)[1]
    assert a == b


def test_the_fits_fused_adam_takes_plain_adams_steps():
    from torch.torch_version import TorchVersion

    from pytracking.tracker.atom.iounet_adaptation import _adam
    torch.manual_seed(3)
    target = torch.randn(64, 33)
    start = torch.randn(64, 33)
    weights = [start.clone().requires_grad_(True) for _ in range(2)]
    optimizers = [_adam([weights[0]], 1e-2), torch.optim.Adam([weights[1]], lr=1e-2)]
    assert bool(optimizers[0].defaults['fused']) == (TorchVersion(torch.__version__) >= (2, 4))
    for _ in range(20):
        for w, opt in zip(weights, optimizers):
            opt.zero_grad()
            (w - target).pow(2).sum().backward()
            opt.step()
    torch.testing.assert_close(weights[0], weights[1], rtol=0, atol=1e-6)
    assert (weights[0] - target).abs().mean() < (start - target).abs().mean() - 0.1   # it moved towards the target
