# Faster R-CNN R50-FPN 3x with multi-scale training (published val box AP 32.4).
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py',
    '../_base_/datasets/bdd100k_det_ms.py',
    '../_base_/schedules/schedule_3x.py',
    '../_base_/default_runtime.py',
    '../_base_/models/resnet50_torchvision.py',
]

model = dict(
    backbone=dict(init_cfg=_base_.resnet50_torchvision),  # not mmdet's torchvision://
    roi_head=dict(bbox_head=dict(num_classes=10)))

auto_scale_lr = dict(base_batch_size=16)
