from .data import Sequence, SequenceList, BaseDataset
from .tracker import Tracker, trackerlist
from .datasets import get_dataset
