"""Processing: turn the raw frames/boxes a sampler draws into network inputs (crops, boxes, proposals).

A processing object is called with a TensorDict holding ``train_images``, ``train_anno``, ``test_images`` and
``test_anno`` (lists, one entry per frame) and returns the processed TensorDict.
"""
import torch

import ltr.data.processing_utils as prutils
from ltr.data import transforms
from pytracking.libs import TensorDict


def stack_tensors(x):
    """``torch.stack`` a list/tuple of tensors; anything else is returned unchanged."""
    if isinstance(x, (list, tuple)) and len(x) > 0 and isinstance(x[0], torch.Tensor):
        return torch.stack(x)
    return x


def _apply(data, fn):
    """``data.apply(fn)`` for TensorDicts, the same for plain dicts."""
    if isinstance(data, TensorDict):
        return data.apply(fn)
    return TensorDict([(k, fn(v)) for k, v in data.items()])


class BaseProcessing:
    """Holds the transforms: ``self.transform['train' | 'test' | 'joint']``.

    ``train_transform``/``test_transform`` fall back to ``transform``. The default ``transform`` is this
    package's ``transforms.ToTensor()`` (pytracking used torchvision's, which cannot take the keyword
    ``image=..., bbox=...`` calls the processing makes).
    """

    def __init__(self, transform=transforms.ToTensor(), train_transform=None, test_transform=None,
                 joint_transform=None):
        self.transform = {'train': transform if train_transform is None else train_transform,
                          'test': transform if test_transform is None else test_transform,
                          'joint': joint_transform}

    def __call__(self, data: TensorDict):
        raise NotImplementedError


class ATOMProcessing(BaseProcessing):
    """Processing for training ATOM's IoU-Net.

    For the train and test frames: jitter the GT box (scale by ``exp(N(0,1)*scale_jitter_factor)``, shift the
    centre uniformly by up to ``sqrt(area)*center_jitter_factor/2``), cut a square of side
    ``search_area_factor*sqrt(area)`` around the jittered box, resize it to ``output_sz``, and apply the
    transforms. Then sample ``boxes_per_frame`` proposals around each test box.

    proposal_params: ``min_iou``, ``boxes_per_frame``, ``sigma_factor`` (float or list to choose from), and
    optionally ``proposal_method`` ('default' = Gaussian perturbation with ``min_iou``, 'gmm' = GMM sampling
    with ``proposal_sigma``).
    mode: 'pair' (one train and one test frame; outputs are single tensors) or 'sequence' (outputs stacked
    over frames, e.g. ``train_images`` FxCxHxW).

    Output keys: ``train_images``, ``train_anno``, ``test_images``, ``test_anno``, ``test_proposals``
    (N x 4, in test-crop coordinates) and ``proposal_iou`` (IoU mapped to ``2*IoU - 1``), plus every other
    input key unchanged (``dataset``, ``test_class``).

    ``crop_exact_border`` (keyword, not in pytracking, default False) passes ``exact_border`` to
    ``prutils.sample_target``; see there.
    """

    def __init__(self, search_area_factor, output_sz, center_jitter_factor, scale_jitter_factor, proposal_params,
                 mode='pair', *args, **kwargs):
        crop_exact_border = kwargs.pop('crop_exact_border', False)
        super().__init__(*args, **kwargs)
        if mode not in ('pair', 'sequence'):
            raise ValueError("ATOMProcessing(mode): expected 'pair' or 'sequence', got {!r}".format(mode))
        for key in ('train', 'test'):
            for name, factor in (('center_jitter_factor', center_jitter_factor),
                                 ('scale_jitter_factor', scale_jitter_factor)):
                if key not in factor:
                    raise ValueError("ATOMProcessing({}): needs a value for '{}', got {}".format(name, key, factor))
        self.search_area_factor = search_area_factor
        self.output_sz = output_sz
        self.center_jitter_factor = center_jitter_factor
        self.scale_jitter_factor = scale_jitter_factor
        self.proposal_params = proposal_params
        self.mode = mode
        self.crop_exact_border = crop_exact_border

    def _get_jittered_box(self, box, mode):
        """Randomly scaled and shifted copy of ``box`` (torch RNG; consumed even when the factors are 0)."""
        jittered_size = box[2:4] * torch.exp(torch.randn(2) * self.scale_jitter_factor[mode])
        max_offset = jittered_size.prod().sqrt() * torch.tensor(self.center_jitter_factor[mode]).float()
        jittered_center = box[0:2] + 0.5 * box[2:4] + max_offset * (torch.rand(2) - 0.5)
        return torch.cat((jittered_center - 0.5 * jittered_size, jittered_size), dim=0)

    def _generate_proposals(self, box):
        """``boxes_per_frame`` proposals around ``box`` and their IoU with it, mapped to [-1, 1]."""
        num_proposals = self.proposal_params['boxes_per_frame']
        proposal_method = self.proposal_params.get('proposal_method', 'default')

        if proposal_method == 'default':
            proposals = torch.zeros((num_proposals, 4))
            gt_iou = torch.zeros(num_proposals)
            for i in range(num_proposals):
                proposals[i, :], gt_iou[i] = prutils.perturb_box(box, min_iou=self.proposal_params['min_iou'],
                                                                 sigma_factor=self.proposal_params['sigma_factor'])
        elif proposal_method == 'gmm':
            proposals, _, _ = prutils.sample_box_gmm(box, self.proposal_params['proposal_sigma'],
                                                     num_samples=num_proposals)
            gt_iou = prutils.iou(box.view(1, 4), proposals.view(-1, 4))
        else:
            raise ValueError("ATOMProcessing: unknown proposal_method {!r} (use 'default' or 'gmm')".format(
                proposal_method))

        # Map IoU from [0, 1] to [-1, 1].
        gt_iou = gt_iou * 2 - 1
        return proposals, gt_iou

    def _check_input(self, data):
        for key in ('train_images', 'train_anno', 'test_images', 'test_anno'):
            if key not in data:
                raise KeyError('{}: input is missing {!r} (has {})'.format(type(self).__name__, key, list(data)))

    def _crop_and_transform(self, data):
        """Joint transform, then jitter/crop/transform the train and test frames (shared by the variants)."""
        self._check_input(data)
        if self.transform['joint'] is not None:
            data['train_images'], data['train_anno'] = self.transform['joint'](image=data['train_images'],
                                                                               bbox=data['train_anno'])
            data['test_images'], data['test_anno'] = self.transform['joint'](image=data['test_images'],
                                                                             bbox=data['test_anno'], new_roll=False)

        for s in ['train', 'test']:
            assert self.mode == 'sequence' or len(data[s + '_images']) == 1, \
                'In pair mode, num train/test frames must be 1'

            jittered_anno = [self._get_jittered_box(a, s) for a in data[s + '_anno']]
            crops, boxes, _ = prutils.jittered_center_crop(data[s + '_images'], jittered_anno, data[s + '_anno'],
                                                           self.search_area_factor, self.output_sz,
                                                           exact_border=self.crop_exact_border)
            data[s + '_images'], data[s + '_anno'] = self.transform[s](image=crops, bbox=boxes, joint=False)
        return data

    def _finish(self, data):
        if self.mode == 'sequence':
            return _apply(data, stack_tensors)
        return _apply(data, lambda x: x[0] if isinstance(x, list) else x)

    def __call__(self, data: TensorDict):
        data = self._crop_and_transform(data)
        frame2_proposals, gt_iou = zip(*[self._generate_proposals(a) for a in data['test_anno']])
        data['test_proposals'] = list(frame2_proposals)
        data['proposal_iou'] = list(gt_iou)
        return self._finish(data)


# Kept for pytracking API compatibility; not on ATOM's path.
class KLBBregProcessing(ATOMProcessing):
    """Processing for the probabilistic box regression (ATOM-prob / PrDiMP style): GMM-sampled proposals.

    proposal_params: ``proposal_sigma`` (list of (center_std, size_std)), ``gt_sigma``, ``boxes_per_frame``,
    optionally ``add_mean_box``. Adds ``test_proposals``, ``proposal_density`` and ``gt_density``.
    """

    def _generate_proposals(self, box):
        return prutils.sample_box_gmm(box, self.proposal_params['proposal_sigma'],
                                      gt_sigma=self.proposal_params.get('gt_sigma'),
                                      num_samples=self.proposal_params['boxes_per_frame'],
                                      add_mean_box=self.proposal_params.get('add_mean_box', False))

    def __call__(self, data: TensorDict):
        data = self._crop_and_transform(data)
        proposals, proposal_density, gt_density = zip(*[self._generate_proposals(a) for a in data['test_anno']])
        data['test_proposals'] = list(proposals)
        data['proposal_density'] = list(proposal_density)
        data['gt_density'] = list(gt_density)
        return self._finish(data)


# Kept for pytracking API compatibility; not on ATOM's path.
class ATOMwKLProcessing(ATOMProcessing):
    """ATOM processing with GMM proposals that also reports their IoU (``proposal_iou`` is the plain IoU here).

    Adds ``test_proposals``, ``proposal_density``, ``gt_density`` and ``proposal_iou``.
    """

    def _generate_proposals(self, box):
        proposals, proposal_density, gt_density = prutils.sample_box_gmm(
            box, self.proposal_params['proposal_sigma'], self.proposal_params.get('gt_sigma'),
            self.proposal_params['boxes_per_frame'])
        iou = prutils.iou(box.view(1, 4), proposals.view(-1, 4))
        return proposals, proposal_density, gt_density, iou

    def __call__(self, data: TensorDict):
        data = self._crop_and_transform(data)
        proposals, proposal_density, gt_density, proposal_iou = zip(
            *[self._generate_proposals(a) for a in data['test_anno']])
        data['test_proposals'] = list(proposals)
        data['proposal_density'] = list(proposal_density)
        data['gt_density'] = list(gt_density)
        data['proposal_iou'] = list(proposal_iou)
        return self._finish(data)
