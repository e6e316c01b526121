# RetinaNet R50-FPN (RSB ImageNet weights) 1x on BDD100K detection (published val box AP
# 29.52). mmdet's stock resnet_strikes_back/retinanet_r50-rsb-pre_fpn_1x_coco.py (weights,
# AdamW without decay on norms) with the BDD100K dataset and 4 images per GPU.
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    '../_base_/datasets/bdd100k_det.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py',
    '../_base_/models/resnet50_rsb.py',
]

model = dict(backbone=dict(init_cfg=_base_.resnet50_rsb), bbox_head=dict(num_classes=10))

train_dataloader = dict(batch_size=4)
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=0.0001, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0., bypass_duplicate=True))
# 8 GPUs x 4 images; --auto-scale-lr rescales lr to the real batch
auto_scale_lr = dict(base_batch_size=32)
