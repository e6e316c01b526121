# FCOS R50-caffe-FPN 1x with the FCOS tricks (published val box AP 26.59; earlier BDD100K zoo):
# mmdet's fcos/fcos_r50-caffe_fpn_gn-head-center-normbbox-centeronreg-giou_1x_coco.py on the
# 1x recipe: center sampling, normalized boxes, centerness on the regression branch, conv
# bias, GIoU loss, test NMS IoU 0.6, linear warmup from 1/3, no gradient clipping, detectron2's
# caffe ResNet-50. That zoo kept its 1x pipeline's normalization (mean 102.98, 115.95, 122.77
# instead of the detectron2 weights' 103.53, 116.28, 123.675): this config does so too.
_base_ = './fcos_r50_1x_bdd100k.py'

model = dict(
    backbone=dict(
        init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://detectron2/resnet50_caffe')),
    bbox_head=dict(
        norm_on_bbox=True,
        centerness_on_reg=True,
        dcn_on_last_conv=False,
        center_sampling=True,
        conv_bias=True,
        loss_bbox=dict(type='GIoULoss', loss_weight=1.0)),
    test_cfg=dict(nms=dict(type='nms', iou_threshold=0.6)))
param_scheduler = [
    dict(type='LinearLR', start_factor=1.0 / 3, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1)
]
optim_wrapper = dict(clip_grad=None)
