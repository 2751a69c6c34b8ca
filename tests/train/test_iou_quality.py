"""iou_prediction_quality: the loss, the mean-predictor baseline and the correlation, on a stub actor."""
import math

import pytest
import torch

from ltr.trainers.iou_quality import iou_prediction_quality, print_iou_prediction_quality
from pytracking.libs.tensordict import TensorDict


class StubActor:
    def __init__(self, scale, offset):
        self.net = lambda train_images, test_images, train_anno, proposals: scale * proposals[..., 0] + offset
        self.training = True

    def train(self, mode):
        self.training = mode


def _loader(targets):
    return [TensorDict({'train_images': torch.zeros(1), 'test_images': torch.zeros(1), 'train_anno': torch.zeros(1),
                        'test_proposals': t[..., None], 'proposal_iou': t}) for t in targets]


def test_perfect_scaled_and_constant_predictions(capsys):
    targets = [torch.tensor([[0.1, -0.5, 0.9]]), torch.tensor([[0.3, -0.2, 0.0]])]
    allt = torch.cat([t.flatten() for t in targets]).double()
    baseline = torch.mean((allt - allt.mean()) ** 2).item()
    actor = StubActor(1.0, 0.0)
    q = iou_prediction_quality(actor, _loader(targets), 'cpu')
    assert actor.training is False
    assert q['loss'] == pytest.approx(0.0) and q['pearson'] == pytest.approx(1.0)
    assert q['baseline_loss'] == pytest.approx(baseline)
    q = iou_prediction_quality(StubActor(-2.0, 0.1), _loader(targets), 'cpu')
    assert q['pearson'] == pytest.approx(-1.0)                      # ranking reversed
    q = iou_prediction_quality(StubActor(0.0, 0.0), _loader(targets[:1]), 'cpu')
    assert math.isnan(q['pearson'])                                   # constant predictions: no correlation
    print_iou_prediction_quality('Stub', {'loss': 0.5, 'baseline_loss': 0.25, 'pearson': 0.125})
    assert capsys.readouterr().out.strip() == ('Stub: val Loss/iou = 0.50000  (predicting the mean IoU: 0.25000; '
                                               'correlation with the true IoU: 0.125)')
