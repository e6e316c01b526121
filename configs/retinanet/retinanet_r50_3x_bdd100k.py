# RetinaNet R50-FPN 3x, multi-scale training (published val box AP 30.91; earlier BDD100K
# zoo): the 1x recipe at 1280x600..720, 36 epochs [24, 33].
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    '../_base_/datasets/bdd100k_det_ms.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py',
    '../_base_/models/resnet50_torchvision.py',
]

model = dict(
    backbone=dict(init_cfg=_base_.resnet50_torchvision),
    bbox_head=dict(num_classes=10))
train_dataloader = dict(batch_size=4)
optim_wrapper = dict(optimizer=dict(lr=0.02))
max_epochs = 36
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[24, 33], gamma=0.1)
]
auto_scale_lr = dict(base_batch_size=32)
