# Mask R-CNN HRNetV2p-W18 3x, multi-scale training (published val mask AP 21.28, box AP 27.53;
# earlier BDD100K zoo): the W32 3x recipe with the W18 widths and ImageNet weights of
# mmdet's hrnet/mask-rcnn_hrnetv2p-w18-1x_coco.py.
_base_ = './mask_rcnn_hrnetv2p_w32_3x_bdd100k.py'

model = dict(
    backbone=dict(
        extra=dict(
            stage2=dict(num_channels=(18, 36)),
            stage3=dict(num_channels=(18, 36, 72)),
            stage4=dict(num_channels=(18, 36, 72, 144))),
        init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://msra/hrnetv2_w18')),
    neck=dict(in_channels=[18, 36, 72, 144]))
