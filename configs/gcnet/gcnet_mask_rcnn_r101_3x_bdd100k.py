# GCNet Mask R-CNN R101-FPN 3x, multi-scale training (published val mask AP 20.77, box AP
# 26.27; earlier BDD100K zoo): the R50 GCNet 3x recipe on torchvision's ResNet-101.
_base_ = ['./gcnet_mask_rcnn_r50_3x_bdd100k.py', '../_base_/models/resnet101_torchvision.py']

model = dict(backbone=dict(depth=101, init_cfg=_base_.resnet101_torchvision))
