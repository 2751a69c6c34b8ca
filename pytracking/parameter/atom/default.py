"""ATOM's default parameters (pytracking's parameter/atom/default.py values; every one commented)."""
import torch

from pytracking.features import deep
from pytracking.features.extractor import MultiResolutionExtractor
from pytracking.utils import FeatureParams, TrackerParams


def parameters():
    params = TrackerParams()

    # Visualisation / device
    params.debug = 0                        # debug level (>= 2 shows score maps with matplotlib)
    params.visualization = False            # show the tracking result
    params.use_gpu = True                   # use CUDA when available; falls back to the CPU with one message
    params.seed = None                      # ours: reseed torch's generators at initialize (None = pytracking)

    # Patch sampling
    params.max_image_sample_size = (18 * 16) ** 2   # maximum search-area size in (resized) pixels^2
    params.min_image_sample_size = (18 * 16) ** 2   # minimum search-area size in (resized) pixels^2
    params.search_area_scale = 5            # search area = scale * target size
    params.feature_size_odd = False         # False: an even feature grid (18x18)
    params.crop_center_rounded = False      # ours: crop at round(pos) instead of pytracking's trunc(pos)

    # Optimisation
    params.CG_iter = 5                      # CG iterations per filter update
    params.init_CG_iter = 60                # total CG iterations in the first frame
    params.init_GN_iter = 6                 # Gauss-Newton iterations in the first frame (60/6 CG each)
    params.post_init_CG_iter = 0            # CG iterations after the first-frame optimisation
    params.fletcher_reeves = False          # per-frame CG: Polak-Ribiere (the GN uses Fletcher-Reeves)
    params.standard_alpha = True            # standard CG step length (pytracking never passed it on; we do)
    params.CG_forgetting_rate = None        # None: forget the CG direction between runs (factor 0)

    # Learning
    params.sample_memory_size = 250         # number of samples in memory
    params.train_skipping = 10              # update the filter every 10th frame
    params.optimize_filled_memory_only = True   # ours: filter updates skip the empty (weight-0) memory slots
    params.filter_matmul = False            # ours: True applies the 4x4 filter as a matrix product in the optimiser
                                            # (2-4x faster updates; other float rounding, which 60 CG steps amplify)

    # Windowing
    params.feature_window = False           # Hann window on the features (dead in pytracking; works here)
    params.window_output = False            # Hann window on the score map

    # Detection
    params.scale_factors = torch.ones(1)    # scales searched by the classifier (IoU-Net estimates the scale)
    params.score_upsample_factor = 1        # score map upsampled to the sample size (288x288)

    # First-frame augmentation: 1 identity + 4 shifts + 1 flip + 5 blurs + 12 rotations = 23, + 7 dropout = 30
    params.augmentation = {'fliplr': True,
                           'rotate': [5, -5, 10, -10, 20, -20, 30, -30, 45, -45, -60, 60],
                           'blur': [(2, 0.2), (0.2, 2), (3, 1), (1, 3), (2, 2)],
                           'relativeshift': [(0.6, 0.6), (-0.6, 0.6), (0.6, -0.6), (-0.6, -0.6)],
                           'dropout': (7, 0.2)}
    params.augmentation_expansion_factor = 2   # augment a patch twice the sample size, then crop
    params.random_shift_factor = 1 / 3         # random shift of flip/blur/rotate, fraction of the sample size

    # Factorized convolution
    params.update_projection_matrix = True  # optimise the projection jointly in the first frame
    params.proj_init_method = 'randn'       # projection init: 'randn' or 'pca'
    params.filter_init_method = 'randn'     # filter init: 'randn' or 'zeros'
    params.projection_activation = 'none'   # activation after the projection
    params.response_activation = ('mlu', 0.05)  # activation of the scores (only inside the optimisation)

    # Advanced localisation
    params.advanced_localization = True     # detect distractors, uncertainty and target loss
    params.target_not_found_threshold = 0.25    # max score below this: target lost
    params.distractor_threshold = 0.8       # second peak above this ratio of the first: distractor
    params.hard_negative_threshold = 0.5    # second peak above this ratio: hard negative
    params.target_neighborhood_scale = 2.2  # neighbourhood (x target size) masked around the first peak
    params.dispalcement_scale = 0.8         # (sic, pytracking's name) distance threshold, fraction of the map
    params.hard_negative_learning_rate = 0.02   # memory learning rate for hard negative frames
    params.hard_negative_CG_iter = 5        # CG iterations after a hard negative frame
    params.update_scale_when_uncertain = True   # let the IoU-Net update the scale in uncertain frames

    # IoU-Net
    params.use_iou_net = True               # target estimation with the IoU-Net
    params.iounet_augmentation = False      # modulation from the augmented samples too
    params.iounet_k = 3                     # average the k best refined boxes
    params.num_init_random_boxes = 9        # jittered boxes added to the initial estimate
    params.box_jitter_pos = 0.1             # position jitter, fraction of sqrt(w*h)
    params.box_jitter_sz = 0.5              # size jitter, fraction of sqrt(w*h)
    params.maximal_aspect_ratio = 6         # drop boxes with a more extreme aspect ratio
    params.box_refinement_iter = 5          # gradient-ascent steps on the IoU
    params.box_refinement_step_length = 1   # step length (scaled by the box size)
    params.box_refinement_step_decay = 1    # step-length decay for rejected steps (1: no decay)
    params.iounet_consistent_box_center = False  # ours: True removes pytracking's +0.5 px drift per refinement
    params.iounet_feature_window = True     # ours: IoU test branch only where the boxes read it (same boxes)
    params.iounet_manual_gradient = True    # ours: the refinement's box gradient without autograd (same boxes)
    params.iounet_adapt_steps = 0           # ours: > 0 fits a copy of the IoU head to the first frame (Adam steps)
    params.iounet_adapt_proposals = 128     # ours: first-frame proposals for that fit
    params.iounet_adapt_lr = 1e-3           # ours: its learning rate

    # Per-feature parameters (deep feature)
    deep_params = TrackerParams()
    deep_params.learning_rate = 0.01        # memory learning rate
    deep_params.init_samples_minimum_weight = 0.25  # minimum total weight of the first-frame samples
    deep_params.output_sigma_factor = 1 / 4     # label sigma relative to the target size (0.9 cells)
    deep_params.kernel_size = (4, 4)        # filter size in feature cells
    deep_params.compressed_dim = 64         # channels after the projection
    deep_params.filter_reg = 1e-1           # filter regularisation
    deep_params.projection_reg = 1e-4       # projection regularisation
    deep_params.use_augmentation = True     # use the augmented samples for this feature

    deep_fparams = FeatureParams(feature_params=[deep_params])
    deep_feat = deep.ATOMResNet18(net_path='atom_default.pth', output_layers=['layer3'], fparams=deep_fparams,
                                  normalize_power=2)
    params.features = MultiResolutionExtractor([deep_feat])

    return params
