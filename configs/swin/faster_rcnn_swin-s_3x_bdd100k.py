# Faster R-CNN Swin-S 3x with multi-scale training (published val box AP 34.21).
_base_ = './faster_rcnn_swin-t_3x_bdd100k.py'

model = dict(backbone=_base_.swin_s, neck=dict(in_channels=_base_.swin_s_channels))
