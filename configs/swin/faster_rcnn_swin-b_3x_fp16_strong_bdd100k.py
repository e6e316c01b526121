# Faster R-CNN Swin-B 3x, mixed precision, "strong" augmentation (published val box AP 35.36).
_base_ = './faster_rcnn_swin-s_3x_fp16_strong_bdd100k.py'

model = dict(
    backbone=dict(_base_.swin_b, init_cfg=dict(
        checkpoint=_base_.swin_url + 'swin_base_patch4_window7_224_22k.pth')),
    neck=dict(in_channels=_base_.swin_b_channels))
