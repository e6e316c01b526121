# Cascade R-CNN ConvNeXt-B 3x, mixed precision, multi-scale training (published val box AP
# 35.77). As the earlier zoo: drop path 0.4 and the ImageNet-21K-pretrained file.
_base_ = './cascade_rcnn_convnext-s_3x_bdd100k.py'

model = dict(
    backbone=dict(
        arch='base',
        drop_path_rate=0.4,
        init_cfg=dict(checkpoint=_base_.convnext_url +
                      'convnext-base_in21k-pre-3rdparty_32xb128_in1k_20220124-eb2d6ada.pth')),
    neck=dict(in_channels=[128, 256, 512, 1024]))
