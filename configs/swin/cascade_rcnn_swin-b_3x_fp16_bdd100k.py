# Cascade R-CNN Swin-B 3x, mixed precision (published val box AP 35.03; no fp16 in the
# earlier zoo's config, see the Swin-S one). It started from the ImageNet-1K file.
_base_ = './cascade_rcnn_swin-s_3x_fp16_bdd100k.py'

model = dict(backbone=_base_.swin_b, neck=dict(in_channels=_base_.swin_b_channels))
