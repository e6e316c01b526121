# Mask R-CNN HRNetV2p-W40 3x, multi-scale training (published val mask AP 22.57, box AP 28.17;
# earlier BDD100K zoo): the W32 3x recipe with the W40 widths and ImageNet weights of
# mmdet's hrnet/mask-rcnn_hrnetv2p-w40_1x_coco.py.
_base_ = './mask_rcnn_hrnetv2p_w32_3x_bdd100k.py'

model = dict(
    backbone=dict(
        extra=dict(
            stage2=dict(num_channels=(40, 80)),
            stage3=dict(num_channels=(40, 80, 160)),
            stage4=dict(num_channels=(40, 80, 160, 320))),
        init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://msra/hrnetv2_w40')),
    neck=dict(in_channels=[40, 80, 160, 320]))
