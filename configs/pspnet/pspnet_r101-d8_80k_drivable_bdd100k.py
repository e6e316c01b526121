# PSPNet R-101-D8, 512x1024, 80K, on BDD100K drivable area: published val mIoU 84.13.
# pspnet_r50-d8_80k_drivable_bdd100k.py with ResNet-101-V1c (bdd100k-models
# pspnet_r101-d8_512x1024_80k_drivable_bdd100k).
_base_ = './pspnet_r50-d8_80k_drivable_bdd100k.py'

model = dict(pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101))
