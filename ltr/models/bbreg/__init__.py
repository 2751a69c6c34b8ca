from .atom_iou_net import AtomIoUNet
