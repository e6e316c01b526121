# Faster R-CNN Swin-B 3x, mixed precision (published val box AP 34.46).
# The earlier zoo started these Faster R-CNN Swin-B from the ImageNet-22K file.
_base_ = './faster_rcnn_swin-s_3x_fp16_bdd100k.py'

model = dict(
    backbone=dict(_base_.swin_b, init_cfg=dict(
        checkpoint=_base_.swin_url + 'swin_base_patch4_window7_224_22k.pth')),
    neck=dict(in_channels=_base_.swin_b_channels))
