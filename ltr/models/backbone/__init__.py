from .mobilenet import mobilenetv2
from .resnet import resnet18, resnet50, resnet101, resnet_baby
