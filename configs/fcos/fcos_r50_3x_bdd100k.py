# FCOS R50-caffe-FPN (GN head) 3x, multi-scale training (published val box AP 30.60; earlier
# BDD100K zoo): the 1x recipe at 1280x600..720, 36 epochs [24, 33].
_base_ = [
    '../_base_/models/fcos_r50-caffe_fpn_gn-head.py',
    '../_base_/datasets/bdd100k_det_ms.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py',
]

model = dict(bbox_head=dict(num_classes=10))
train_dataloader = dict(batch_size=4)
max_epochs = 36
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='ConstantLR', factor=1.0 / 3, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[24, 33], gamma=0.1)
]
optim_wrapper = dict(
    optimizer=dict(lr=0.01),
    paramwise_cfg=dict(bias_lr_mult=2., bias_decay_mult=0.),
    clip_grad=dict(max_norm=35, norm_type=2))
auto_scale_lr = dict(base_batch_size=32)
