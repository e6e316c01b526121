# Mask R-CNN R50-FPN 3x, multi-scale training (published val mask AP 20.2, box AP 26.8).
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../_base_/datasets/bdd100k_ins_seg_ms.py',
    '../_base_/schedules/schedule_3x.py',
    '../_base_/default_runtime.py',
    '../_base_/models/resnet50_torchvision.py',
]

model = dict(
    backbone=dict(init_cfg=_base_.resnet50_torchvision),  # not mmdet's torchvision://
    roi_head=dict(bbox_head=dict(num_classes=8), mask_head=dict(num_classes=8)),
    # R-CNN targets without low-quality matches, as Vis4D (mmdet's Mask R-CNN base allows them)
    train_cfg=dict(rcnn=dict(assigner=dict(match_low_quality=False))))

train_cfg = dict(val_interval=3)  # Vis4D: validate every 3 epochs
auto_scale_lr = dict(base_batch_size=16)
