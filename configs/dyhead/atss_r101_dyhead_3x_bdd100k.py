# ATSS R101-FPN with DyHead 3x, multi-scale training (published val box AP 34.61; earlier
# BDD100K zoo): the R50 3x recipe on torchvision's ResNet-101.
_base_ = ['./atss_r50_dyhead_3x_bdd100k.py', '../_base_/models/resnet101_torchvision.py']

model = dict(backbone=dict(depth=101, init_cfg=_base_.resnet101_torchvision))
