# DeepLabV3+ R-101-D8, 512x1024, 80K, on BDD100K semantic segmentation: published val mIoU 64.49.
# deeplabv3plus_r50-d8_80k_bdd100k.py with ResNet-101-V1c (bdd100k-models
# deeplabv3+_r101-d8_512x1024_80k_sem_seg_bdd100k).
_base_ = './deeplabv3plus_r50-d8_80k_bdd100k.py'

model = dict(pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101))
