from .lasot import Lasot
from .got10k import Got10k
from .tracking_net import TrackingNet
from .coco_seq import MSCOCOSeq
from .imagenetvid import ImagenetVID
