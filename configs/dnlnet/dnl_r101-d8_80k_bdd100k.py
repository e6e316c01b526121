# DNLNet R-101-D8, 80K iterations, 512x1024 crops, on BDD100K semantic segmentation
# (published val mIoU 59.54; bdd100k-models dnl_r101-d8_512x1024_80k_sem_seg_bdd100k).
# The R-50 80K config with ImageNet ResNet-101-V1c, as mmseg's r101 configs.
_base_ = './dnl_r50-d8_80k_bdd100k.py'

model = dict(pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101))
