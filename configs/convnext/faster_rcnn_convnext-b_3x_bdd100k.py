# Faster R-CNN ConvNeXt-B 3x, mixed precision, multi-scale training (published val box AP
# 33.92).
_base_ = './faster_rcnn_convnext-s_3x_bdd100k.py'

model = dict(
    backbone=dict(
        arch='base',
        drop_path_rate=0.7,
        init_cfg=dict(checkpoint=_base_.convnext_url + 'downstream/'
                      'convnext-base_3rdparty_32xb128-noema_in1k_20220301-2a0ee547.pth')),
    neck=dict(in_channels=[128, 256, 512, 1024]))
