# Cascade R-CNN Swin-T 3x with multi-scale training (published val box AP 35.95).
# mmdet 3.3 has no stock Cascade R-CNN Swin: its Cascade R-CNN R50-FPN with the backbone,
# AdamW and warmup of its stock Swin configs, as the earlier zoo's
# cascade_rcnn_swin-t_fpn_3x_det_bdd100k did.
_base_ = [
    'mmdet::_base_/models/cascade-rcnn_r50_fpn.py',
    '../_base_/datasets/bdd100k_det_ms.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py',
    '../_base_/models/swin.py',
]

model = dict(
    backbone=dict(_delete_=True, **_base_.swin_t),
    neck=dict(in_channels=_base_.swin_t_channels),
    roi_head=dict(
        bbox_head=[dict(head, num_classes=10) for head in _base_.model.roi_head.bbox_head]))

train_dataloader = dict(batch_size=2)
max_epochs = 36
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1000),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[27, 33], gamma=0.1)
]
optim_wrapper = dict(
    optimizer=dict(
        _delete_=True, type='AdamW', lr=0.0001, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        custom_keys={
            'absolute_pos_embed': dict(decay_mult=0.),
            'relative_position_bias_table': dict(decay_mult=0.),
            'norm': dict(decay_mult=0.)
        }))
# 8 GPUs x 2 images; --auto-scale-lr rescales lr to the real batch
auto_scale_lr = dict(base_batch_size=16)
