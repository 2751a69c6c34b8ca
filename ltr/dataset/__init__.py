from .coco_seq import MSCOCOSeq
from .got10k import Got10k
from .imagenetvid import ImagenetVID
from .lasot import Lasot
from .tracking_net import TrackingNet
