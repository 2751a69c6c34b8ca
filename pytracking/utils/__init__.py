from .params import TrackerParams, FeatureParams, Choice
