# ATSS R50-FPN 3x, multi-scale training (published val box AP 34.17; earlier BDD100K zoo):
# the 1x recipe at 1280x600..720, 36 epochs [24, 33].
_base_ = [
    '../_base_/models/atss_r50_fpn.py',
    '../_base_/datasets/bdd100k_det_ms.py',
    '../_base_/schedules/schedule_3x.py',
    '../_base_/default_runtime.py',
    '../_base_/models/resnet50_torchvision.py',
]

model = dict(
    backbone=dict(init_cfg=_base_.resnet50_torchvision),
    bbox_head=dict(num_classes=10))
train_dataloader = dict(batch_size=4)
optim_wrapper = dict(optimizer=dict(lr=0.02))
auto_scale_lr = dict(base_batch_size=32)
