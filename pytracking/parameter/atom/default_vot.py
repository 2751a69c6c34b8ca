"""ATOM parameters for VOT (pytracking's default_vot.py): smaller search area, output window, no target-loss
detection."""
from pytracking.parameter.atom.default import parameters as default_parameters


def parameters():
    params = default_parameters()
    params.max_image_sample_size = (14 * 16) ** 2   # 224x224 samples
    params.min_image_sample_size = (14 * 16) ** 2
    params.search_area_scale = 4                    # search area = 4 x target size
    params.window_output = True                     # Hann window on the score map
    params.target_not_found_threshold = -1          # never declare the target lost
    params.distractor_threshold = 100               # never report a distractor
    params.hard_negative_threshold = 0.3
    params.dispalcement_scale = 0.7                 # (sic)
    params.vot_anno_conversion_type = 'preserve_area'   # polygon -> box conversion

    deep_params = params.features.features[0].fparams.feature_params[0]
    deep_params.learning_rate = 0.0075
    del deep_params.init_samples_minimum_weight     # no minimum weight for the first-frame samples
    return params
