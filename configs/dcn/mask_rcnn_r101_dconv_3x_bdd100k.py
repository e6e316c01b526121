# Mask R-CNN R101-FPN DCN 3x, multi-scale training (published val mask AP 20.98, box AP 25.99;
# earlier BDD100K zoo): the R50 DCN 3x recipe on torchvision's ResNet-101.
_base_ = ['./mask_rcnn_r50_dconv_3x_bdd100k.py', '../_base_/models/resnet101_torchvision.py']

model = dict(backbone=dict(depth=101, init_cfg=_base_.resnet101_torchvision))
