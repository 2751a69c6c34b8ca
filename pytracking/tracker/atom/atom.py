"""ATOM: online target classification (a 2-layer convolutional classifier trained with Gauss-Newton / CG)
plus target estimation by IoU maximisation with the offline-trained IoU-Net (Danelljan et al., CVPR 2019).

Coordinates are (y, x) internally: `pos` is the target centre, `target_sz` is (h, w). Boxes given to and
returned by the tracker are [x, y, w, h].

Random numbers (all from torch's generators; `params.seed` reseeds them at `initialize`, which makes a CPU run
bit-for-bit repeatable for the same thread count and build), in call order:
  1. generate_init_samples: torch.rand(2) per augmentation with a random shift (flip 1, blur 5, rotate 12),
     on the CPU generator;
  2. generate_init_samples: F.dropout2d on the 7 dropout copies, on the feature device's generator;
  3. init_projection_matrix: normal_ init of P ('randn'), on the feature device;
  4. init_optimization: normal_ init of the filter ('randn'), on the feature device;
  5. every tracked frame whose target is found: torch.rand(9, 4) box jitter in refine_target_box (CPU).
No Python `random` or NumPy RNG is used.

Deviations from pytracking, each controlled by a parameter where results would change:
  - params.crop_center_rounded (default False = pytracking): pytracking crops samples centred at the
    truncated position pos.long() while labels and displacements use pos.round(); True crops at the rounded
    position so crop and labels agree.
  - params.seed (default None = pytracking: no reseeding).
  - params.displacement_scale is accepted as a correctly spelled alias of pytracking's `dispalcement_scale`.
  - params.scale_translation_in_advanced_localization (default False = pytracking): pytracking's
    localize_advanced ignores scale_factors when converting the displacement (multi-scale runs only).
  - params.iounet_consistent_box_center (default False = pytracking): refine_target_box converts the refined
    box back to a centre with ul + sz/2 although get_iounet_box used ul + (sz-1)/2, a +0.5 sample-pixel drift
    (down-right) per refined frame; True uses (sz-1)/2 both ways.
Fixed outright (they only crashed or silently did nothing in pytracking):
  - params.feature_window was never read (the code read `_feature_window`); both names now work.
  - params.standard_alpha was never passed to the optimisers; it is now.
  - the feature network's own use_gpu was independent of params.use_gpu (a CPU run crashed on mixed devices
    unless both were edited); the features now follow params.device.
  - params.use_gpu=True without CUDA falls back to the CPU (with one message) instead of crashing.
"""
import math
import time

import torch
import torch.nn.functional as F

from pytracking.features import augmentation
from pytracking.features.preprocessing import numpy_to_torch
from pytracking.libs import TensorList, dcf, fourier, operation
from pytracking.libs.optimization import ConjugateGradient, GaussNewtonCG, GradientDescentL2
from pytracking.tracker.base import BaseTracker
from pytracking.utils.device import select_device

from . import input_checks, iou_box_gradient, iou_feature_window, iounet_adaptation
from .optim import ConvProblem, FactorizedConvProblem


def _mlu(alpha):
    """x for x >= 0 and alpha*(exp(x/alpha) - 1) for x < 0 (an ELU whose negative part is scaled to alpha)."""
    return lambda x: F.elu(F.leaky_relu(x, 1 / alpha), alpha)


def _activation(spec, what):
    """Build an activation from its parameter value: 'none', 'relu', 'elu' or ('mlu', alpha)."""
    if isinstance(spec, (tuple, list)):
        name, alpha = spec
    else:
        name, alpha = spec, None
    if name == 'none':
        return lambda x: x
    if name == 'relu':
        return torch.relu
    if name == 'elu':
        return F.elu
    if name == 'mlu':
        return _mlu(alpha)
    raise ValueError('Unknown {} {!r}: expected "none", "relu", "elu" or ("mlu", alpha)'.format(what, spec))


class ATOM(BaseTracker):
    multiobj_mode = 'parallel'

    # ---------------------------------------------------------------------------------------------------------
    # Initialisation (first frame)
    # ---------------------------------------------------------------------------------------------------------
    def _resolve_device(self):
        """Set params.device from params.use_gpu (CUDA when present, else the CPU with one message)."""
        if not self.params.has('device'):
            self.params.device = select_device(self.params.get('use_gpu', True))
        elif str(self.params.device).startswith('cuda') and not torch.cuda.is_available():
            self.params.device = select_device(True)

    def initialize_features(self):
        # Called before initialize() by the video/webcam path (MultiObjectWrapper's fast_load), so the device
        # must be resolved here too.
        self._resolve_device()
        if not getattr(self, 'features_initialized', False):
            # The features follow the tracker's device (pytracking kept them independent).
            for f in self.params.features.features:
                if hasattr(f, 'set_device'):
                    f.set_device(self.params.device)
            self.params.features.initialize()
        self.features_initialized = True

    def initialize(self, image, info: dict) -> dict:
        # Input checks (ValueError naming the argument; see input_checks for what is accepted).
        image, state = input_checks.check_initialize_args(image, info)
        self._first_frame = input_checks.frame_signature(image)

        self.frame_num = 1
        self._resolve_device()

        self.initialize_features()

        # Reseed every generator we draw from (see the module docstring for the list of draws). After the features
        # are initialised: loading the network draws random numbers (module init), so a network loaded here and
        # one handed over already loaded must leave the tracker the same random stream.
        seed = self.params.get('seed', None)
        if seed is not None:
            torch.manual_seed(seed)  # CPU and all CUDA devices
        self.params.features.set_is_color(image.shape[2] == 3)
        self.fparams = self.params.features.get_fparams('feature_params')

        tic = time.time()

        # Target geometry: centre (y, x) and size (h, w).
        self.pos = torch.Tensor([state[1] + (state[3] - 1) / 2, state[0] + (state[2] - 1) / 2])
        self.target_sz = torch.Tensor([state[3], state[2]])

        # Scale so that the search area lies within [min, max]_image_sample_size (pixels^2).
        self.target_scale = 1.0
        search_area = torch.prod(self.target_sz * self.params.search_area_scale).item()
        if search_area > self.params.max_image_sample_size:
            self.target_scale = math.sqrt(search_area / self.params.max_image_sample_size)
        elif search_area < self.params.min_image_sample_size:
            self.target_scale = math.sqrt(search_area / self.params.min_image_sample_size)

        self.use_iou_net = self.params.get('use_iou_net', True)
        for f in self.params.features.features:   # ours: no IoU-Net test branch per frame when it is not used
            if hasattr(f, 'compute_iou_features'):
                f.compute_iou_features = self.use_iou_net
        self.base_target_sz = self.target_sz / self.target_scale

        # Image sample size (pixels of the resized crop).
        shape = self.params.get('search_area_shape', 'square')
        if shape == 'square':
            self.img_sample_sz = torch.round(torch.sqrt(torch.prod(self.base_target_sz *
                                                                   self.params.search_area_scale))) * torch.ones(2)
        elif shape == 'initrect':
            self.img_sample_sz = torch.round(self.base_target_sz * self.params.search_area_scale)
        elif shape == 'fixed':
            self.img_sample_sz = torch.ones(2) * math.sqrt(self.params.max_image_sample_size)
        else:
            raise ValueError('Unknown search_area_shape {!r}: expected "square", "initrect" or "fixed"'
                             .format(shape))

        # Make the feature grid odd (or even) as requested.
        self.feature_stride = float(self.params.features.stride().max())
        if self.params.get('feature_size_odd', False):
            self.img_sample_sz += self.feature_stride - self.img_sample_sz % (2 * self.feature_stride)
        else:
            self.img_sample_sz += self.feature_stride - (self.img_sample_sz + self.feature_stride) % \
                                  (2 * self.feature_stride)

        self.img_support_sz = self.img_sample_sz
        self.feature_sz = self.params.features.size(self.img_sample_sz)
        self.output_sz = self.params.score_upsample_factor * self.img_support_sz
        self.kernel_size = self.fparams.attribute('kernel_size')
        self.iou_img_sample_sz = self.img_sample_sz

        # Optimisation settings.
        self.params.precond_learning_rate = self.fparams.attribute('learning_rate')
        forgetting_rate = self.params.get('CG_forgetting_rate', None)
        if forgetting_rate is None or max(self.params.precond_learning_rate) >= 1:
            self.params.direction_forget_factor = 0
        else:
            self.params.direction_forget_factor = (1 - max(self.params.precond_learning_rate)) ** forgetting_rate

        self.output_window = None
        if self.params.get('window_output', False):
            if self.params.get('use_clipped_window', False):
                self.output_window = dcf.hann2d_clipped(
                    self.output_sz.long(),
                    self.output_sz.long() * self.params.effective_search_area / self.params.search_area_scale,
                    centered=False).to(self.params.device)
            else:
                self.output_window = dcf.hann2d(self.output_sz.long(), centered=False).to(self.params.device)

        self.init_learning()

        im = numpy_to_torch(image)
        self.im = im
        self.image_sz = torch.Tensor([im.shape[2], im.shape[3]])
        self.min_scale_factor = torch.max(10 / self.base_target_sz)
        self.max_scale_factor = torch.min(self.image_sz / self.base_target_sz)

        x = self.generate_init_samples(im)
        if self.use_iou_net:
            self.init_iou_net()
        self.init_projection_matrix(x)
        train_x = self.preprocess_sample(x)
        init_y = self.init_label_function(train_x)
        self.init_memory(train_x)
        self.init_optimization(train_x, init_y)

        self.pos_iounet = self.pos.clone()
        return {'time': time.time() - tic}

    def init_learning(self):
        # Hann window on the feature grid; only used if params.feature_window is set.
        self.feature_window = TensorList([dcf.hann2d(sz).to(self.params.device) for sz in self.feature_sz])
        self.filter_reg = self.fparams.attribute('filter_reg')
        self.projection_activation = _activation(self.params.get('projection_activation', 'none'),
                                                 'projection_activation')
        # Applied only inside the optimisation residuals, not when scoring a frame.
        self.response_activation = _activation(self.params.get('response_activation', 'none'),
                                               'response_activation')

    def _rand_shift_fn(self):
        factor = self.params.get('random_shift_factor', 0)
        if factor > 0:
            # Drawn on the CPU generator, truncated towards zero (pytracking).
            return lambda: ((torch.rand(2) - 0.5) * self.img_sample_sz * factor).long().tolist()
        return lambda: None

    def _crop_pos(self, pos):
        """Where a sample crop is centred: pos itself (sample_patch truncates it, as pytracking) or, with
        params.crop_center_rounded, the rounded position the labels and displacements are measured from."""
        return pos.round() if self.params.get('crop_center_rounded', False) else pos

    def generate_init_samples(self, im: torch.Tensor) -> TensorList:
        """Features of the augmented first-frame samples: 23 transforms + 7 dropout copies = 30 by default."""
        expansion_factor = self.params.get('augmentation_expansion_factor', None)
        aug_expansion_sz = self.img_sample_sz.clone()
        aug_output_sz = None
        if expansion_factor is not None and expansion_factor != 1:
            aug_expansion_sz = (self.img_sample_sz * expansion_factor).long()
            aug_expansion_sz += (aug_expansion_sz - self.img_sample_sz.long()) % 2  # same parity as the output
            aug_expansion_sz = aug_expansion_sz.float()
            aug_output_sz = self.img_sample_sz.long().tolist()

        get_rand_shift = self._rand_shift_fn()
        augs = self.params.augmentation if self.params.get('use_augmentation', True) else {}

        # Creation order matters: it is the order of the random shift draws.
        self.transforms = [augmentation.Identity(aug_output_sz)]
        if 'shift' in augs:
            self.transforms.extend([augmentation.Translation(s, aug_output_sz) for s in augs['shift']])
        if 'relativeshift' in augs:
            def absolute(shift):
                return (torch.Tensor(shift) * self.img_sample_sz / 2).long().tolist()
            self.transforms.extend([augmentation.Translation(absolute(s), aug_output_sz)
                                    for s in augs['relativeshift']])
        if 'fliplr' in augs and augs['fliplr']:
            self.transforms.append(augmentation.FlipHorizontal(aug_output_sz, get_rand_shift()))
        if 'blur' in augs:
            self.transforms.extend([augmentation.Blur(sigma, aug_output_sz, get_rand_shift())
                                    for sigma in augs['blur']])
        if 'scale' in augs:
            self.transforms.extend([augmentation.Scale(factor, aug_output_sz, get_rand_shift())
                                    for factor in augs['scale']])
        if 'rotate' in augs:
            self.transforms.extend([augmentation.Rotate(angle, aug_output_sz, get_rand_shift())
                                    for angle in augs['rotate']])

        init_samples = self.params.features.extract_transformed(im, self._crop_pos(self.pos), self.target_scale,
                                                                aug_expansion_sz, self.transforms)

        # Features that do not use augmentation keep only the identity sample.
        use_aug_per_feature = self.fparams.attribute('use_augmentation', True)
        for i, use_aug in enumerate(use_aug_per_feature):
            if not use_aug:
                init_samples[i] = init_samples[i][0:1, ...]

        if 'dropout' in augs:
            num, prob = augs['dropout']
            self.transforms.extend(self.transforms[:1] * num)
            for i, use_aug in enumerate(use_aug_per_feature):
                if use_aug:
                    copies = init_samples[i][0:1, ...].expand(num, -1, -1, -1)
                    init_samples[i] = torch.cat([init_samples[i], F.dropout2d(copies, p=prob, training=True)])
        return init_samples

    def init_projection_matrix(self, x):
        self.params.use_projection_matrix = self.params.get('use_projection_matrix', True)
        if not self.params.use_projection_matrix:
            self.compressed_dim = x.size(1)
            self.projection_matrix = TensorList([None] * len(x))
            return

        self.compressed_dim = self.fparams.attribute('compressed_dim', None)
        method = self.params.get('proj_init_method', 'pca')
        if method == 'pca':
            mats = []
            for e, cdim in zip(x, self.compressed_dim):
                if cdim is None:
                    mats.append(None)
                    continue
                x_mat = e.permute(1, 0, 2, 3).reshape(e.shape[1], -1).clone()
                x_mat -= x_mat.mean(dim=1, keepdim=True)
                cov = x_mat @ x_mat.t()
                u = torch.linalg.svd(cov)[0]
                mats.append(u[:, :cdim].t().unsqueeze(-1).unsqueeze(-1).clone())
            self.projection_matrix = TensorList(mats)
        elif method == 'randn':
            self.projection_matrix = TensorList([
                None if cdim is None else e.new_zeros(cdim, e.shape[1], 1, 1).normal_(0, 1 / math.sqrt(e.shape[1]))
                for e, cdim in zip(x, self.compressed_dim)])
        else:
            raise ValueError('Unknown proj_init_method {!r}: expected "pca" or "randn"'.format(method))

    def init_label_function(self, train_x):
        # Gaussian width in feature cells (0.9 cells with ATOM's square search area).
        self.sigma = TensorList([
            (sz / self.img_support_sz * self.base_target_sz).prod().sqrt() * sf * torch.ones(2)
            for sz, sf in zip(self.feature_sz, self.fparams.attribute('output_sigma_factor'))])

        self.y = TensorList([x.new_zeros(self.params.sample_memory_size, 1, x.shape[2], x.shape[3])
                             for x in train_x])

        # Sub-pixel offset of the target from the rounded crop centre, relative to the crop size.
        target_center_norm = (self.pos - self.pos.round()) / (self.target_scale * self.img_support_sz)
        for y, sig, sz, ksz, x in zip(self.y, self.sigma, self.feature_sz, self.kernel_size, train_x):
            # +0.5 cell for an even kernel: 'same' convolution drops the last row/column.
            center_pos = sz * target_center_norm + 0.5 * torch.Tensor([(ksz[0] + 1) % 2, (ksz[1] + 1) % 2])
            for i, T in enumerate(self.transforms[:x.shape[0]]):
                sample_center = center_pos + torch.Tensor(T.shift) / self.img_support_sz * sz
                y[i, ...] = dcf.label_function_spatial(sz, sig, sample_center).to(y.device).view(y.shape[1:])
        return TensorList([y[:x.shape[0], ...] for y, x in zip(self.y, train_x)])

    def init_memory(self, train_x):
        self.num_init_samples = [x.shape[0] for x in train_x]
        self.init_sample_weights = TensorList([x.new_ones(1) / x.shape[0] for x in train_x])
        self.init_training_samples = train_x  # raw (uncompressed) samples, used by the joint problem

        self.num_stored_samples = list(self.num_init_samples)
        self.previous_replace_ind = [None] * len(self.num_stored_samples)
        self.sample_weights = TensorList([x.new_zeros(self.params.sample_memory_size) for x in train_x])
        for sw, init_sw, num in zip(self.sample_weights, self.init_sample_weights, self.num_init_samples):
            sw[:num] = init_sw

        # channels_last (ours): the same values; the filter_matmul products read it as [N, H, W, C] without a copy.
        self.training_samples = TensorList([
            x.new_zeros(self.params.sample_memory_size, cdim, x.shape[2], x.shape[3]).contiguous(
                memory_format=torch.channels_last)
            for x, cdim in zip(train_x, self.compressed_dim)])

    def init_optimization(self, train_x, init_y):
        debug = self.params.get('debug', 0)
        fletcher_reeves = self.params.get('fletcher_reeves', True)
        standard_alpha = self.params.get('standard_alpha', True)  # pytracking never passed it on

        # Filter initialisation.
        filter_init_method = self.params.get('filter_init_method', 'zeros')
        self.filter = TensorList([x.new_zeros(1, cdim, sz[0], sz[1])
                                  for x, cdim, sz in zip(train_x, self.compressed_dim, self.kernel_size)])
        if filter_init_method == 'randn':
            for f in self.filter:
                f.normal_(0, 1 / f.numel())
        elif filter_init_method != 'zeros':
            raise ValueError('Unknown filter_init_method {!r}: expected "zeros" or "randn"'
                             .format(filter_init_method))

        self.update_projection_matrix = self.params.get('update_projection_matrix', True) and \
            self.params.use_projection_matrix
        optimizer = self.params.get('optimizer', 'GaussNewtonCG')
        if optimizer not in ('GaussNewtonCG', 'GradientDescentL2'):
            raise ValueError('Unknown optimizer {!r}: expected "GaussNewtonCG" or "GradientDescentL2"'
                             .format(optimizer))

        if self.update_projection_matrix:
            # Jointly optimise filter and projection on the first-frame samples.
            self.projection_reg = self.fparams.attribute('projection_reg')
            self.joint_problem = FactorizedConvProblem(self.init_training_samples, init_y, self.filter_reg,
                                                       self.projection_reg, self.params, self.init_sample_weights,
                                                       self.projection_activation, self.response_activation)
            joint_var = self.filter.concat(self.projection_matrix)  # same tensors: updated in place
            analyze = self.params.get('analyze_convergence', False)
            if optimizer == 'GaussNewtonCG':
                # Constructor defaults as in pytracking: Fletcher-Reeves, no direction forgetting.
                self.joint_optimizer = GaussNewtonCG(self.joint_problem, joint_var, standard_alpha=standard_alpha,
                                                     debug=(debug >= 1), plotting=(debug >= 3), analyze=analyze,
                                                     visdom=self.visdom)
            else:
                self.joint_optimizer = GradientDescentL2(self.joint_problem, joint_var,
                                                         self.params.optimizer_step_length,
                                                         self.params.optimizer_momentum, plotting=(debug >= 3),
                                                         debug=(debug >= 1), visdom=self.visdom)

            if isinstance(self.params.init_CG_iter, (list, tuple)):
                self.joint_optimizer.run(self.params.init_CG_iter)
            else:
                self.joint_optimizer.run(self.params.init_CG_iter // self.params.init_GN_iter,
                                         self.params.init_GN_iter)

            if analyze:
                from ltr.admin.atomic_io import atomic_savetxt
                opt_name = 'CG' if optimizer == 'GaussNewtonCG' else 'GD'
                recorded = [self.joint_optimizer.losses, getattr(self.joint_optimizer, 'gradient_mags', [])]
                for val_name, values in zip(['loss', 'gradient'], recorded):
                    atomic_savetxt('{}_{}.txt'.format(opt_name, val_name),
                                   torch.as_tensor(values).detach().cpu().numpy())
                raise RuntimeError('analyze_convergence: convergence data written; stopping as pytracking does')

        # Compress the first-frame samples with the (final) projection into the memory.
        compressed = self.project_sample(self.init_training_samples, self.projection_matrix)
        for train_samp, init_samp in zip(self.training_samples, compressed):
            train_samp[:init_samp.shape[0], ...] = init_samp

        self.hinge_mask = None

        # Per-frame problem over the filter only.
        self.conv_problem = ConvProblem(self.training_samples, self.y, self.filter_reg, self.sample_weights,
                                        self.response_activation)
        self.conv_problem.filter_matmul = self.params.get('filter_matmul', False)
        if optimizer == 'GaussNewtonCG':
            self.filter_optimizer = ConjugateGradient(self.conv_problem, self.filter,
                                                      fletcher_reeves=fletcher_reeves,
                                                      standard_alpha=standard_alpha,
                                                      direction_forget_factor=self.params.direction_forget_factor,
                                                      debug=(debug >= 1), plotting=(debug >= 3),
                                                      visdom=self.visdom)
        else:
            self.filter_optimizer = GradientDescentL2(self.conv_problem, self.filter,
                                                      self.params.optimizer_step_length,
                                                      self.params.optimizer_momentum, debug=(debug >= 1),
                                                      plotting=(debug >= 3), visdom=self.visdom)

        if self.update_projection_matrix:
            # Continue the loss history of the joint optimisation (debug plots).
            self.filter_optimizer.residuals = self.joint_optimizer.residuals
            self.filter_optimizer.losses = self.joint_optimizer.losses
        else:
            self.filter_optimizer.run(self.params.init_CG_iter)

        self.filter_optimizer.run(self.params.post_init_CG_iter)

        del self.init_training_samples
        if self.update_projection_matrix:
            del self.joint_problem, self.joint_optimizer

    # ---------------------------------------------------------------------------------------------------------
    # Tracking (later frames)
    # ---------------------------------------------------------------------------------------------------------
    def track(self, image, info: dict = None) -> dict:
        image = input_checks.check_track_frame(image, getattr(self, '_first_frame', None))
        self.debug_info = {}
        self.frame_num += 1
        self.debug_info['frame_num'] = self.frame_num

        im = numpy_to_torch(image)
        self.im = im

        # Extract the test sample around the previous position.
        sample_pos = self.pos.round()
        sample_scales = self.target_scale * self.params.scale_factors
        test_x = self.extract_processed_sample(im, self._crop_pos(self.pos), sample_scales, self.img_sample_sz)

        # Classify and localise.
        scores_raw = self.apply_filter(test_x)
        translation_vec, scale_ind, s, flag = self.localize_target(scores_raw)

        # Update position and scale.
        if flag != 'not_found':
            if self.use_iou_net:
                update_scale_flag = self.params.get('update_scale_when_uncertain', True) or flag != 'uncertain'
                if self.params.get('use_classifier', True):
                    self.update_state(sample_pos + translation_vec)
                self.refine_target_box(sample_pos, sample_scales[scale_ind], scale_ind, update_scale_flag)
            elif self.params.get('use_classifier', True):
                self.update_state(sample_pos + translation_vec, sample_scales[scale_ind])

        score_map = s[scale_ind, ...]
        max_score = torch.max(score_map).item()
        self.debug_info['max_score'] = max_score
        self.debug_info['flag'] = flag
        if self.params.get('debug', 0) >= 2:
            from pytracking.utils.plotting import show_tensor
            show_tensor(score_map, 5, title='Max score = {:.2f}'.format(max_score))

        # Update the memory with the sample at the old position, labelled at the new one.
        update_flag = flag not in ['not_found', 'uncertain']
        hard_negative = (flag == 'hard_negative')
        learning_rate = self.params.hard_negative_learning_rate if hard_negative else None
        if update_flag:
            train_x = TensorList([x[scale_ind:scale_ind + 1, ...] for x in test_x])
            train_y = self.get_label_function(sample_pos, sample_scales[scale_ind])
            self.update_memory(train_x, train_y, learning_rate)

        # Train the filter (ours: on the filled memory slots only; the empty ones have weight 0).
        if self.params.get('optimize_filled_memory_only', True):
            self.conv_problem.num_used_samples = [min(n, self.params.sample_memory_size)
                                                  for n in self.num_stored_samples]
        if hard_negative:
            self.filter_optimizer.run(self.params.hard_negative_CG_iter)
        elif (self.frame_num - 1) % self.params.train_skipping == 0:
            self.filter_optimizer.run(self.params.CG_iter)

        # Report the IoU-Net position (pytracking: reverts to the last IoU-Net position if refinement found no
        # box in this frame).
        if self.use_iou_net and flag != 'not_found':
            self.pos = self.pos_iounet.clone()

        new_state = torch.cat((self.pos[[1, 0]] - (self.target_sz[[1, 0]] - 1) / 2, self.target_sz[[1, 0]]))
        return {'target_bbox': new_state.tolist()}

    def apply_filter(self, sample_x: TensorList):
        return operation.conv2d(sample_x, self.filter, mode='same')

    def localize_target(self, scores_raw):
        """Upsample the classification scores (Fourier interpolation) and find the target displacement.
        returns: (translation_vec (y, x) in image pixels, scale index, upsampled scores [S, 1, H, W] as pytracking's
            (the shape fourier.sample_fs gives), flag)
        """
        weight = self.fparams.attribute('translation_weight', 1.0)
        scores_raw = TensorList([w * s for w, s in zip(weight, scores_raw)])

        sf_weighted = fourier.cfft2(scores_raw) / (scores_raw[0].size(2) * scores_raw[0].size(3))
        for i, (sz, ksz) in enumerate(zip(self.feature_sz, self.kernel_size)):
            # Shift so that zero displacement lands at index 0 (half a cell for an even kernel).
            sf_weighted[i] = fourier.shift_fs(sf_weighted[i], math.pi * (1 - torch.Tensor([ksz[0] % 2,
                                                                                            ksz[1] % 2]) / sz))
        scores_fs = fourier.sum_fs(sf_weighted)
        scores = fourier.sample_fs(scores_fs, self.output_sz)   # [S, 1, H, W]

        if self.output_window is not None and not self.params.get('perform_hn_without_windowing', False):
            scores = scores * self.output_window.view(1, *self.output_window.shape[-2:])

        if self.params.get('advanced_localization', False):
            return self.localize_advanced(scores)

        # Plain localisation: the maximum over scales and positions.
        max_score, max_disp = dcf.max2d(scores)
        scale_ind = int(torch.argmax(max_score.view(-1)))
        max_disp = max_disp.view(-1, 2).float().cpu()
        disp = (max_disp + self.output_sz / 2) % self.output_sz - self.output_sz / 2
        translation_vec = disp[scale_ind, ...].view(-1) * (self.img_support_sz / self.output_sz) * \
            self.target_scale
        translation_vec *= self.params.scale_factors[scale_ind]

        if self.output_window is not None and self.params.get('perform_hn_without_windowing', False):
            scores = scores * self.output_window.view(1, *self.output_window.shape[-2:])
        return translation_vec, scale_ind, scores, None

    @staticmethod
    def _center_zero_disp(scores):
        """Roll both spatial axes by (size+1)//2 so that zero displacement sits at index size//2."""
        sz = scores.shape[-2:]
        return torch.roll(scores, shifts=((sz[0] + 1) // 2, (sz[1] + 1) // 2), dims=(-2, -1))

    def _displacement_scale(self):
        return self.params.get('displacement_scale', None) or self.params.get('dispalcement_scale')

    def localize_advanced(self, scores):
        """Find the target and detect distractors / loss of the target (hard negatives, uncertainty).
        scores: [S, 1, H, W] with zero displacement at index 0; returned rolled so that it sits at the centre."""
        sz = scores.shape[-2:]
        window_later = self.output_window is not None and self.params.get('perform_hn_without_windowing', False)
        if window_later:
            scores_orig = self._center_zero_disp(scores.clone())
            scores = scores * self.output_window.view(1, *self.output_window.shape[-2:])

        scores = self._center_zero_disp(scores)

        # Highest peak.
        max_score1, max_disp1 = dcf.max2d(scores)
        max_score1, max_disp1 = max_score1.view(-1), max_disp1.view(-1, 2)
        scale_ind = int(torch.argmax(max_score1))
        max_score1 = max_score1[scale_ind]
        max_disp1 = max_disp1[scale_ind, ...].float().cpu().view(-1)
        target_disp1 = max_disp1 - self.output_sz // 2
        pixel_per_cell = (self.img_support_sz / self.output_sz) * self.target_scale
        if self.params.get('scale_translation_in_advanced_localization', False):
            pixel_per_cell = pixel_per_cell * self.params.scale_factors[scale_ind]
        translation_vec1 = target_disp1 * pixel_per_cell

        if max_score1.item() < self.params.target_not_found_threshold:
            return translation_vec1, scale_ind, scores, 'not_found'

        if window_later:
            scores = scores_orig

        # Mask the target neighbourhood and find the second peak (python round: half to even, as pytracking).
        target_neigh_sz = self.params.target_neighborhood_scale * self.target_sz / self.target_scale
        tneigh_top = max(round(max_disp1[0].item() - target_neigh_sz[0].item() / 2), 0)
        tneigh_bottom = min(round(max_disp1[0].item() + target_neigh_sz[0].item() / 2 + 1), sz[0])
        tneigh_left = max(round(max_disp1[1].item() - target_neigh_sz[1].item() / 2), 0)
        tneigh_right = min(round(max_disp1[1].item() + target_neigh_sz[1].item() / 2 + 1), sz[1])
        scores_masked = scores[scale_ind:scale_ind + 1, ...].clone()
        scores_masked[..., tneigh_top:tneigh_bottom, tneigh_left:tneigh_right] = 0

        max_score2, max_disp2 = dcf.max2d(scores_masked)
        max_score2 = max_score2.view(-1)[0]
        max_disp2 = max_disp2.float().cpu().view(-1)
        target_disp2 = max_disp2 - self.output_sz // 2
        translation_vec2 = target_disp2 * pixel_per_cell

        # A strong second peak: decide which one is the target from their distance to the centre.
        if max_score2 > self.params.distractor_threshold * max_score1:
            disp_norm1 = torch.sqrt(torch.sum(target_disp1 ** 2))
            disp_norm2 = torch.sqrt(torch.sum(target_disp2 ** 2))
            disp_threshold = self._displacement_scale() * math.sqrt(sz[0] * sz[1]) / 2

            if disp_norm2 > disp_threshold and disp_norm1 < disp_threshold:
                return translation_vec1, scale_ind, scores, 'hard_negative'
            if disp_norm2 < disp_threshold and disp_norm1 > disp_threshold:
                return translation_vec2, scale_ind, scores, 'hard_negative'
            return translation_vec1, scale_ind, scores, 'uncertain'

        # A weaker but present second peak: learn it as a hard negative.
        if max_score2 > self.params.hard_negative_threshold * max_score1 and \
                max_score2 > self.params.target_not_found_threshold:
            return translation_vec1, scale_ind, scores, 'hard_negative'

        return translation_vec1, scale_ind, scores, None

    def extract_sample(self, im: torch.Tensor, pos: torch.Tensor, scales, sz: torch.Tensor):
        return self.params.features.extract(im, pos, scales, sz)[0]

    def get_iou_features(self):
        return self.params.features.get_unique_attribute('iounet_features')

    def get_iou_backbone_features(self):
        return self.params.features.get_unique_attribute('iounet_backbone_features')

    def extract_processed_sample(self, im: torch.Tensor, pos: torch.Tensor, scales, sz: torch.Tensor) -> TensorList:
        x = self.extract_sample(im, pos, scales, sz)
        return self.preprocess_sample(self.project_sample(x))

    def preprocess_sample(self, x: TensorList) -> TensorList:
        # pytracking read only `_feature_window`, so `feature_window=True` silently did nothing; both work here.
        if self.params.get('feature_window', False) or self.params.get('_feature_window', False):
            x = x * self.feature_window
        return x

    def project_sample(self, x: TensorList, proj_matrix=None):
        if proj_matrix is None:
            proj_matrix = self.projection_matrix
        return operation.conv2d(x, proj_matrix).apply(self.projection_activation)

    # ---------------------------------------------------------------------------------------------------------
    # Sample memory
    # ---------------------------------------------------------------------------------------------------------
    def update_memory(self, sample_x: TensorList, sample_y: TensorList, learning_rate=None):
        replace_ind = self.update_sample_weights(self.sample_weights, self.previous_replace_ind,
                                                 self.num_stored_samples, self.num_init_samples, self.fparams,
                                                 learning_rate)
        self.previous_replace_ind = replace_ind
        for train_samp, x, ind in zip(self.training_samples, sample_x, replace_ind):
            train_samp[ind:ind + 1, ...] = x
        for y_memory, y, ind in zip(self.y, sample_y, replace_ind):
            y_memory[ind:ind + 1, ...] = y.to(y_memory.device).view(y_memory.shape[1:])
        if self.hinge_mask is not None:
            for m, y, ind in zip(self.hinge_mask, sample_y, replace_ind):
                m[ind:ind + 1, ...] = (y >= self.params.hinge_threshold).float()
        self.num_stored_samples = [n + 1 for n in self.num_stored_samples]

    def update_sample_weights(self, sample_weights, previous_replace_ind, num_stored_samples, num_init_samples,
                              fparams, learning_rate=None):
        """Give the new sample weight lr (exponential recency) and return the memory slot it replaces.
        The weights are updated in place (the optimisation problems hold the same tensors)."""
        replace_ind = []
        for sw, prev_ind, num_samp, num_init, fpar in zip(sample_weights, previous_replace_ind,
                                                           num_stored_samples, num_init_samples, fparams):
            lr = fpar.learning_rate if learning_rate is None else learning_rate

            init_samp_weight = getattr(fpar, 'init_samples_minimum_weight', None)
            if init_samp_weight == 0:
                init_samp_weight = None
            s_ind = 0 if init_samp_weight is None else num_init  # protect the initial samples

            if num_samp == 0 or lr == 1:
                sw[:] = 0
                sw[0] = 1
                r_ind = 0
            else:
                # Replace the lowest-weight sample (empty slots first, then the oldest).
                r_ind = int(torch.argmin(sw[s_ind:])) + s_ind
                if prev_ind is None:
                    sw /= 1 - lr
                    sw[r_ind] = lr
                else:
                    sw[r_ind] = sw[prev_ind] / (1 - lr)

            sw /= sw.sum()
            if init_samp_weight is not None and sw[:num_init].sum() < init_samp_weight:
                sw /= init_samp_weight + sw[num_init:].sum()
                sw[:num_init] = init_samp_weight / num_init

            replace_ind.append(r_ind)
        return replace_ind

    def get_label_function(self, sample_pos, sample_scale):
        """Labels for a sample cropped at sample_pos with sample_scale, peaked at the current self.pos."""
        train_y = TensorList()
        target_center_norm = (self.pos - sample_pos) / (sample_scale * self.img_support_sz)
        for sig, sz, ksz in zip(self.sigma, self.feature_sz, self.kernel_size):
            center = sz * target_center_norm + 0.5 * torch.Tensor([(ksz[0] + 1) % 2, (ksz[1] + 1) % 2])
            train_y.append(dcf.label_function_spatial(sz, sig, center))
        return train_y

    def update_state(self, new_pos, new_scale=None):
        if new_scale is not None:
            self.target_scale = new_scale.clamp(self.min_scale_factor, self.max_scale_factor)
            self.target_sz = self.base_target_sz * self.target_scale
        # Keep at least 20% of the target inside the image.
        inside_ratio = 0.2
        inside_offset = (inside_ratio - 0.5) * self.target_sz
        self.pos = torch.max(torch.min(new_pos, self.image_sz - inside_offset), inside_offset)

    # ---------------------------------------------------------------------------------------------------------
    # Target estimation with the IoU-Net
    # ---------------------------------------------------------------------------------------------------------
    def get_iounet_box(self, pos, sz, sample_pos, sample_scale):
        """The box [x, y, w, h] of (pos, sz) in the coordinates of the sample cropped at sample_pos."""
        box_center = (pos - sample_pos) / sample_scale + (self.iou_img_sample_sz - 1) / 2
        box_sz = sz / sample_scale
        target_ul = box_center - (box_sz - 1) / 2
        return torch.cat([target_ul.flip((0,)), box_sz.flip((0,))])

    def init_iou_net(self):
        self.iou_predictor = self.params.features.get_unique_attribute('iou_predictor')
        for p in self.iou_predictor.parameters():
            p.requires_grad = False

        self.iou_target_box = self.get_iounet_box(self.pos, self.target_sz, self.pos.round(), self.target_scale)
        target_boxes = [self.iou_target_box.clone()]
        if self.params.get('iounet_augmentation', False):
            # Shifted boxes for the transforms that keep the target's shape (pytracking's list).
            target_boxes = []
            shape_keeping = (augmentation.Identity, augmentation.Translation, augmentation.FlipHorizontal,
                             augmentation.FlipVertical, augmentation.Blur)
            for T in self.transforms:
                if not isinstance(T, shape_keeping):
                    break
                target_boxes.append(self.iou_target_box + torch.Tensor([T.shift[1], T.shift[0], 0, 0]))
        target_boxes = torch.stack(target_boxes).to(self.params.device)

        # Modulation vectors from the cached backbone features of the first-frame samples.
        iou_backbone_features = self.get_iou_backbone_features()
        iou_backbone_features = TensorList([x[:target_boxes.shape[0], ...] for x in iou_backbone_features])
        with torch.no_grad():
            target_feat = self.iou_predictor.get_modulation(iou_backbone_features, target_boxes)
        self.target_feat = TensorList([x.detach().mean(0) for x in target_feat])

        if self.params.get('iounet_not_use_reference', False):
            self.target_feat = TensorList([torch.full_like(tf, tf.norm() / tf.numel()) for tf in self.target_feat])

        # Ours, opt-in: fit a copy of the IoU-Net's head to this target on the first frame (iounet_adaptation.py).
        adapt_steps = self.params.get('iounet_adapt_steps', 0)
        if adapt_steps > 0:
            self.iou_predictor, losses = iounet_adaptation.adapt_iou_head(
                self.iou_predictor, self.target_feat, TensorList([x[:1, ...] for x in iou_backbone_features]),
                self.iou_target_box.to(self.params.device), adapt_steps,
                num_proposals=self.params.get('iounet_adapt_proposals', 128),
                lr=self.params.get('iounet_adapt_lr', 1e-3))
            self.iounet_adapt_loss = losses   # [first step, last step] MSE, for inspection

        # Ours: the IoU-Net's test branch as IoUFeatureWindow computes it (found once; None: the whole-map branch).
        self.iou_test_branches = iou_feature_window.branches(self.iou_predictor) \
            if self.params.get('iounet_feature_window', True) else None

    def refine_target_box(self, sample_pos, sample_scale, scale_ind, update_scale=True):
        init_box = self.get_iounet_box(self.pos, self.target_sz, sample_pos, sample_scale)
        if self.iou_test_branches is not None:
            # Ours: the test branch only where the boxes read it (same boxes up to float rounding; see the module).
            backbone_features = [x[scale_ind:scale_ind + 1, ...] for x in self.get_iou_backbone_features()]
            iou_features = iou_feature_window.IoUFeatureWindow(self.iou_predictor, backbone_features,
                                                               self.iou_test_branches)
        else:
            iou_features = self.get_iou_features()
            iou_features = TensorList([x[scale_ind:scale_ind + 1, ...] for x in iou_features])

        estimate = self.estimate_box(iou_features, init_box)
        if estimate is None:
            return
        predicted_box, predicted_iou = estimate

        # Back to image coordinates.
        # get_iounet_box puts the centre at ul + (sz-1)/2 but pytracking converts back with ul + sz/2, which
        # moves the target by +0.5 sample pixel (x and y) in every refined frame; the fix is opt-in.
        if self.params.get('iounet_consistent_box_center', False):
            half_sz = (predicted_box[2:] - 1) / 2
        else:
            half_sz = predicted_box[2:] / 2
        new_pos = predicted_box[:2] + half_sz - (self.iou_img_sample_sz - 1) / 2
        new_pos = new_pos.flip((0,)) * sample_scale + sample_pos
        new_target_sz = predicted_box[2:].flip((0,)) * sample_scale
        new_scale = torch.sqrt(new_target_sz.prod() / self.base_target_sz.prod())

        self.debug_info['iounet_score'] = predicted_iou.item()
        self.pos_iounet = new_pos.clone()
        if self.params.get('use_iounet_pos_for_learning', True):
            self.pos = new_pos.clone()
        self.target_sz = new_target_sz
        if update_scale:
            self.target_scale = new_scale

    def estimate_box(self, iou_features, init_box):
        """IoU-Net box estimate in sample coordinates: refine `init_box` and randomly jittered copies of it, drop
        degenerate boxes and extreme aspect ratios, average the k best.
        returns: (box [x, y, w, h], its mean predicted IoU), or None when no box is left."""
        init_boxes = init_box.view(1, 4).clone()
        if self.params.num_init_random_boxes > 0:
            square_box_sz = init_box[2:].prod().sqrt()
            rand_factor = square_box_sz * torch.cat([self.params.box_jitter_pos * torch.ones(2),
                                                     self.params.box_jitter_sz * torch.ones(2)])
            minimal_edge_size = init_box[2:].min() / 3
            rand_bb = (torch.rand(self.params.num_init_random_boxes, 4) - 0.5) * rand_factor
            new_sz = (init_box[2:] + rand_bb[:, 2:]).clamp(minimal_edge_size)
            new_center = (init_box[:2] + init_box[2:] / 2) + rand_bb[:, :2]
            init_boxes = torch.cat([init_box.view(1, 4), torch.cat([new_center - new_sz / 2, new_sz], 1)])

        output_boxes, output_iou = self.optimize_boxes(iou_features, init_boxes)

        # Drop degenerate boxes and extreme aspect ratios.
        output_boxes[:, 2:].clamp_(1)
        aspect_ratio = output_boxes[:, 2] / output_boxes[:, 3]
        max_ar = self.params.maximal_aspect_ratio
        keep_ind = (aspect_ratio < max_ar) & (aspect_ratio > 1 / max_ar)
        output_boxes = output_boxes[keep_ind, :]
        output_iou = output_iou[keep_ind]
        if output_boxes.shape[0] == 0:
            return None

        # Average the k best boxes.
        k = self.params.get('iounet_k', 5)
        topk = min(k, output_boxes.shape[0])
        _, inds = torch.topk(output_iou, topk)
        return output_boxes[inds, :].mean(0), output_iou.view(-1, 1)[inds, :].mean(0)

    def optimize_boxes(self, iou_features, init_boxes):
        """Gradient ascent on the predicted IoU w.r.t. the boxes ('default' space: steps scaled by box size).
        args:
            iou_features: the IoU-Net's test-branch features of the sample (a TensorList), or an IoUFeatureWindow
                (ours) that computes them where the boxes of each step read them.
        returns: (final boxes [N, 4] on the CPU, IoU predicted for the boxes before the last step [N])"""
        if isinstance(iou_features, iou_feature_window.IoUFeatureWindow):
            features_for = iou_features.features
        else:
            features_for = lambda boxes: iou_features  # noqa: E731
        space = self.params.get('box_refinement_space', 'default')
        if space != 'default':
            raise NotImplementedError('box_refinement_space {!r} is not implemented (only "default")'.format(space))
        output_boxes = init_boxes.view(1, -1, 4).to(self.params.device)
        step_length = self.params.box_refinement_step_length
        if isinstance(step_length, (tuple, list)):
            step_length = torch.Tensor([step_length[0], step_length[0], step_length[1], step_length[1]])
            step_length = step_length.to(self.params.device).view(1, 1, 4)
        step_length = torch.as_tensor(step_length, dtype=torch.float32, device=self.params.device)
        step_length = step_length * torch.ones(1, output_boxes.shape[1], 1, device=self.params.device)
        decay = self.params.box_refinement_step_decay

        outputs_prev = torch.full((1, output_boxes.shape[1]), -float('inf'), device=self.params.device)
        step = torch.zeros_like(output_boxes)
        if self.params.box_refinement_iter <= 0:
            # pytracking crashes here (no scores without an iteration); zero iterations means "score the initial
            # boxes and keep them" (a crash-only bug, fixed outright).
            with torch.no_grad():
                outputs = self.iou_predictor.predict_iou(self.target_feat, features_for(output_boxes), output_boxes)
            if isinstance(outputs, (list, tuple)):
                outputs = outputs[0]
            return output_boxes.view(-1, 4).cpu(), outputs.view(-1).cpu()
        # Ours: the IoU and its box gradient in one autograd-free pass (iou_box_gradient.py). Checked per call (a few
        # attribute tests): the predictor may be swapped after initialize, e.g. for a different IoU-Net.
        manual = self.params.get('iounet_manual_gradient', True) and \
            iou_box_gradient.supported(self.iou_predictor, self.params.device)
        for _ in range(self.params.box_refinement_iter):
            bb_init = output_boxes.clone().detach()
            if manual:
                outputs, box_grad = iou_box_gradient.iou_and_box_gradient(self.iou_predictor, self.target_feat,
                                                                          features_for(bb_init), bb_init)
            else:
                bb_init.requires_grad_(True)
                with torch.enable_grad():
                    outputs = self.iou_predictor.predict_iou(self.target_feat, features_for(bb_init), bb_init)
                    if isinstance(outputs, (list, tuple)):
                        outputs = outputs[0]
                    outputs.backward(gradient=torch.ones_like(outputs))
                box_grad = bb_init.grad

            # Accept a step if it raised the IoU (always, when the step length does not decay);
            # otherwise undo it and shorten that box's step.
            outputs = outputs.detach().view(1, -1)
            update_mask = (outputs > outputs_prev) | torch.tensor(decay >= 1, device=outputs.device)
            mask = update_mask.float().view(1, -1, 1)
            step_length = step_length * torch.where(mask > 0, torch.ones_like(mask),
                                                    torch.full_like(mask, decay))
            outputs_prev = outputs

            size_scale = bb_init[:, :, 2:].repeat(1, 1, 2)
            step = mask * step_length * box_grad * size_scale - (1.0 - mask) * step
            output_boxes = (bb_init + step).detach()

        return output_boxes.view(-1, 4).cpu(), outputs.view(-1).cpu()
