"""ATOM's IoU predictor (IoU-Net with a reference-modulation branch).

The reference branch pools the target box from the first frame's layer2/layer3 features into two
modulation vectors; the test branch multiplies the test features channel-wise by them, pools every proposal
box with PrRoIPool and regresses its IoU with the target.
"""
import torch
import torch.nn as nn

from ltr.external.PreciseRoIPooling.pytorch.prroi_pool import PrRoIPool2D
from ltr.models.layers.blocks import LinearBlock


def conv(in_planes, out_planes, kernel_size=3, stride=1, padding=1, dilation=1):
    """Conv2d(bias=True) + BatchNorm2d + ReLU; state-dict keys .0.* (conv) and .1.* (BN)."""
    return nn.Sequential(
        nn.Conv2d(in_planes, out_planes, kernel_size=kernel_size, stride=stride, padding=padding,
                  dilation=dilation, bias=True),
        nn.BatchNorm2d(out_planes),
        nn.ReLU(inplace=True))


def _boxes_to_rois(boxes_xywh, batch_index):
    """[x, y, w, h] boxes -> PrRoIPool rois [batch_index, x0, y0, x1, y1]."""
    xyxy = torch.cat((boxes_xywh[..., 0:2], boxes_xywh[..., 0:2] + boxes_xywh[..., 2:4]), dim=-1)
    return torch.cat((batch_index, xyxy), dim=-1)


class AtomIoUNet(nn.Module):
    """args:
        input_dim - channels of the two backbone layers (layer2, layer3); (128, 256) for ResNet-18.
        pred_input_dim - channels of the test-branch features fed to the IoU head.
        pred_inter_dim - widths of the fully connected layers after pooling.
        feature_stride - strides of the two backbone layers, giving the PrRoIPool scales (1/8, 1/16 for ResNet).
        branch_dim - width of the first conv layer of each test and reference branch (256; the stride-8 reference
            branch has half of it). Both are ours, not in pytracking, where they are fixed: the defaults keep its
            layers and state-dict keys. A narrower IoU-Net (e.g. 128) costs a quarter of the test-branch
            convolutions, which at stride 8 cost more than a small backbone.
    """

    def __init__(self, input_dim=(128, 256), pred_input_dim=(256, 256), pred_inter_dim=(256, 256),
                 feature_stride=(8, 16), branch_dim=256):
        super().__init__()
        self.feature_stride = tuple(feature_stride)
        b = int(branch_dim)
        # Layer2 (stride 8) branch.
        self.conv3_1r = conv(input_dim[0], b // 2, kernel_size=3, stride=1)
        self.conv3_1t = conv(input_dim[0], b, kernel_size=3, stride=1)
        self.conv3_2t = conv(b, pred_input_dim[0], kernel_size=3, stride=1)
        self.prroi_pool3r = PrRoIPool2D(3, 3, 1 / feature_stride[0])
        self.prroi_pool3t = PrRoIPool2D(5, 5, 1 / feature_stride[0])
        self.fc3_1r = conv(b // 2, b, kernel_size=3, stride=1, padding=0)   # 3x3 pooled -> 1x1

        # Layer3 (stride 16) branch.
        self.conv4_1r = conv(input_dim[1], b, kernel_size=3, stride=1)
        self.conv4_1t = conv(input_dim[1], b, kernel_size=3, stride=1)
        self.conv4_2t = conv(b, pred_input_dim[1], kernel_size=3, stride=1)
        self.prroi_pool4r = PrRoIPool2D(1, 1, 1 / feature_stride[1])
        self.prroi_pool4t = PrRoIPool2D(3, 3, 1 / feature_stride[1])

        # Modulation vectors (non-negative because of the ReLU) from the concatenated reference features.
        self.fc34_3r = conv(b + b, pred_input_dim[0], kernel_size=1, stride=1, padding=0)
        self.fc34_4r = conv(b + b, pred_input_dim[1], kernel_size=1, stride=1, padding=0)

        self.fc3_rt = LinearBlock(pred_input_dim[0], pred_inter_dim[0], 5)
        self.fc4_rt = LinearBlock(pred_input_dim[1], pred_inter_dim[1], 3)
        self.iou_predictor = nn.Linear(pred_inter_dim[0] + pred_inter_dim[1], 1, bias=True)

        # Kaiming (fan_in) weights and zero biases; BN weights U(0, 1) as PyTorch <= 1.1 initialised them.
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight.data, mode='fan_in')
                if m.bias is not None:
                    m.bias.data.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.data.uniform_()
                m.bias.data.zero_()

    def forward(self, feat1, feat2, bb1, proposals2):
        """args:
            feat1 - reference-frame features [layer2, layer3], each (images*sequences, C, H, W) or 5-D.
            feat2 - test-frame features, same layout.
            bb1 - reference boxes (images, sequences, 4) as [x, y, w, h]; only the first image is used.
            proposals2 - proposals (images, sequences, N, 4) as [x, y, w, h].
        returns: predicted IoU (images, sequences, N)."""
        if bb1.dim() != 3:
            raise ValueError('AtomIoUNet.forward: bb1 must be (images, sequences, 4), got shape {}'
                             .format(tuple(bb1.shape)))
        if proposals2.dim() != 4:
            raise ValueError('AtomIoUNet.forward: proposals2 must be (images, sequences, N, 4), got shape {}'
                             .format(tuple(proposals2.shape)))
        num_images = proposals2.shape[0]
        num_sequences = proposals2.shape[1]

        # Only the first reference image is used.
        feat1 = [f[0, ...] if f.dim() == 5 else f.reshape(-1, num_sequences, *f.shape[-3:])[0, ...] for f in feat1]
        bb1 = bb1[0, ...]

        modulation = self.get_modulation(feat1, bb1)
        iou_feat = self.get_iou_feat(feat2)

        modulation = [f.reshape(1, num_sequences, -1).repeat(num_images, 1, 1).reshape(num_sequences * num_images, -1)
                      for f in modulation]
        proposals2 = proposals2.reshape(num_sequences * num_images, -1, 4)
        pred_iou = self.predict_iou(modulation, iou_feat, proposals2)
        return pred_iou.reshape(num_images, num_sequences, -1)

    def predict_iou(self, modulation, feat, proposals):
        """args:
            modulation - the two modulation vectors from get_modulation, (B, C) or (B, C, 1, 1) each.
            feat - the two test features from get_iou_feat, (B, C, H, W) each.
            proposals - (B, N, 4) boxes [x, y, w, h] in image coordinates.
        returns: (B, N) predicted IoU."""
        batch_size, num_proposals_per_batch = proposals.shape[0], proposals.shape[1]
        pooled = self.pool_proposals(modulation, feat, proposals)
        return self.predict_iou_from_pooled(pooled).reshape(batch_size, num_proposals_per_batch)

    def pool_proposals(self, modulation, feat, proposals):
        """Ours (the first half of predict_iou): the modulated test features pooled in every proposal.
        returns: (stride-8 pooled (B*N, C, 5, 5), stride-16 pooled (B*N, C, 3, 3))."""
        fc34_3_r, fc34_4_r = modulation
        c3_t, c4_t = feat
        batch_size = c3_t.shape[0]
        num_proposals_per_batch = proposals.shape[1]

        c3_t_att = c3_t * fc34_3_r.reshape(batch_size, -1, 1, 1)
        c4_t_att = c4_t * fc34_4_r.reshape(batch_size, -1, 1, 1)

        batch_index = torch.arange(batch_size, dtype=proposals.dtype, device=proposals.device)
        batch_index = batch_index.reshape(batch_size, 1, 1).expand(-1, num_proposals_per_batch, -1)
        rois = _boxes_to_rois(proposals, batch_index).reshape(-1, 5)
        return self.prroi_pool3t(c3_t_att, rois), self.prroi_pool4t(c4_t_att, rois)

    def predict_iou_from_pooled(self, pooled):
        """Ours (the second half of predict_iou): the IoU head (fc3_rt, fc4_rt, iou_predictor) on pooled
        proposals. returns: (B*N, 1)."""
        roi3t, roi4t = pooled
        fc34_rt_cat = torch.cat((self.fc3_rt(roi3t), self.fc4_rt(roi4t)), dim=1)
        return self.iou_predictor(fc34_rt_cat)

    def get_modulation(self, feat, bb):
        """Modulation vectors from the reference features [layer2, layer3] and boxes bb (B, 4) [x, y, w, h].
        returns: two (B, C, 1, 1) tensors."""
        feat3_r, feat4_r = feat
        c3_r = self.conv3_1r(feat3_r)

        batch_size = bb.shape[0]
        batch_index = torch.arange(batch_size, dtype=bb.dtype, device=bb.device).reshape(-1, 1)
        roi1 = _boxes_to_rois(bb, batch_index)

        roi3r = self.prroi_pool3r(c3_r, roi1)
        c4_r = self.conv4_1r(feat4_r)
        roi4r = self.prroi_pool4r(c4_r, roi1)

        fc3_r = self.fc3_1r(roi3r)
        fc34_r = torch.cat((fc3_r, roi4r), dim=1)
        return self.fc34_3r(fc34_r), self.fc34_4r(fc34_r)

    def get_iou_feat(self, feat2):
        """Test-branch features from [layer2, layer3] (4-D, or 5-D which is flattened)."""
        feat2 = [f.reshape(-1, *f.shape[-3:]) if f.dim() == 5 else f for f in feat2]
        feat3_t, feat4_t = feat2
        c3_t = self.conv3_2t(self.conv3_1t(feat3_t))
        c4_t = self.conv4_2t(self.conv4_1t(feat4_t))
        return c3_t, c4_t
