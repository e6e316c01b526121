# Faster R-CNN ConvNeXt-S 3x, mixed precision, multi-scale training (published val box AP
# 34.79).
_base_ = './faster_rcnn_convnext-t_3x_bdd100k.py'

model = dict(
    backbone=dict(
        arch='small',
        drop_path_rate=0.6,
        init_cfg=dict(checkpoint=_base_.convnext_url + 'downstream/'
                      'convnext-small_3rdparty_32xb128-noema_in1k_20220301-303e75e3.pth')))
optim_wrapper = dict(paramwise_cfg={'num_layers': 12})
