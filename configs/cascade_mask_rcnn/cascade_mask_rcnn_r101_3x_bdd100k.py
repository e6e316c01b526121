# Cascade Mask R-CNN R101-FPN 3x (published val mask AP 19.79, box AP 24.79; earlier BDD100K
# zoo): the R50 3x recipe, single-scale as that zoo ran it, on torchvision's ResNet-101.
_base_ = ['./cascade_mask_rcnn_r50_3x_bdd100k.py', '../_base_/models/resnet101_torchvision.py']

model = dict(backbone=dict(depth=101, init_cfg=_base_.resnet101_torchvision))
