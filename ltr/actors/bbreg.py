"""Actors for bounding-box regression (IoU prediction) networks."""
from . import BaseActor


class AtomActor(BaseActor):
    """ATOM: mean squared error between the predicted and the true IoU of each proposal (true IoU in [-1, 1],
    as produced by ATOMProcessing)."""

    def __call__(self, data):
        """args:
            data - batch with 'train_images', 'test_images', 'train_anno', 'test_proposals', 'proposal_iou'.
        returns: loss, {'Loss/total': float, 'Loss/iou': float}."""
        iou_pred = self.net(data['train_images'], data['test_images'], data['train_anno'], data['test_proposals'])
        iou_pred = iou_pred.view(-1, iou_pred.shape[2])
        iou_gt = data['proposal_iou'].view(-1, data['proposal_iou'].shape[2])
        loss = self.objective(iou_pred, iou_gt)
        stats = {'Loss/total': loss.item(), 'Loss/iou': loss.item()}
        return loss, stats


class AtomBBKLActor(BaseActor):
    """ATOM variant trained with a KL-divergence box loss (atom_prob_ml): the objective receives the
    predicted scores, the proposal sampling density and the ground-truth density."""

    def __call__(self, data):
        bb_scores = self.net(data['train_images'], data['test_images'], data['train_anno'], data['test_proposals'])
        bb_scores = bb_scores.view(-1, bb_scores.shape[2])
        proposal_density = data['proposal_density'].view(-1, data['proposal_density'].shape[2])
        gt_density = data['gt_density'].view(-1, data['gt_density'].shape[2])
        loss = self.objective(bb_scores, sample_density=proposal_density, gt_density=gt_density, mc_dim=1)
        stats = {'Loss/total': loss.item(), 'Loss/bb_ce': loss.item()}
        return loss, stats
