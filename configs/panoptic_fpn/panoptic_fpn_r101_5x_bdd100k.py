# Panoptic FPN R101-FPN 5x, multi-scale training (published val PQ 23.90, earlier BDD100K
# zoo): the R50 5x recipe on torchvision's ResNet-101, as mmdet's panoptic-fpn_r101_fpn_*.
_base_ = ['./panoptic_fpn_r50_5x_bdd100k.py', '../_base_/models/resnet101_torchvision.py']

model = dict(backbone=dict(depth=101, init_cfg=_base_.resnet101_torchvision))
