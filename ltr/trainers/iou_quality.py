"""How well an IoU-Net predicts the IoU of box proposals: a validation pass outside the trainer's loss logging,
used by `ltr/train_settings/bbreg/atom_demo.py` to compare the untrained and the trained network."""
import torch


def iou_prediction_quality(actor, loader, device):
    """Evaluate `actor.net` on every batch of `loader` (eval mode, no gradients).

    args:
        actor - an actor whose `net(train_images, test_images, train_anno, test_proposals)` predicts IoUs
            (e.g. `ltr.actors.AtomActor`); it is left in eval mode.
        loader - batches with those keys and `proposal_iou` (the targets, IoU mapped to [-1, 1]).
        device - where the batches are moved.
    returns:
        dict with
        loss - the IoU loss (MSE against `proposal_iou`), as the trainer reports it;
        baseline_loss - the MSE of always predicting the mean target (what a network that ignores the image gets);
        pearson - correlation of predicted and true IoU over all proposals (ranking quality, what the tracker uses).
    """
    actor.train(False)
    preds, targets = [], []
    with torch.no_grad():
        for data in loader:
            data = data.to(device)
            iou_pred = actor.net(data['train_images'], data['test_images'], data['train_anno'],
                                 data['test_proposals'])
            preds.append(iou_pred.reshape(-1).cpu())
            targets.append(data['proposal_iou'].reshape(-1).cpu())
    pred, target = torch.cat(preds).double(), torch.cat(targets).double()
    pearson = torch.corrcoef(torch.stack((pred, target)))[0, 1].item() if pred.numel() > 1 else float('nan')
    return {'loss': torch.mean((pred - target) ** 2).item(),
            'baseline_loss': torch.mean((target - target.mean()) ** 2).item(),
            'pearson': pearson}


def print_iou_prediction_quality(title, quality):
    """One line: `title`, then the loss, the mean-predictor baseline and the correlation of `quality`."""
    print('{}: val Loss/iou = {:.5f}  (predicting the mean IoU: {:.5f}; correlation with the true IoU: {:.3f})'
          .format(title, quality['loss'], quality['baseline_loss'], quality['pearson']))
