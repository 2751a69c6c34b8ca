from .params import Choice, FeatureParams, TrackerParams
