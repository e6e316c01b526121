# Faster R-CNN R101-FPN 5x, multi-scale training (published val box AP 32.61; earlier
# BDD100K zoo, mmdet 2.x): the R50 5x recipe on torchvision's ResNet-101.
_base_ = ['./faster_rcnn_r50_5x_bdd100k.py', '../_base_/models/resnet101_torchvision.py']

model = dict(backbone=dict(depth=101, init_cfg=_base_.resnet101_torchvision))
