# Cascade R-CNN ConvNeXt-T 3x, mixed precision, multi-scale training (published val box AP
# 35.84).
_base_ = './cascade_rcnn_convnext-t_1x_bdd100k.py'

# the multi-scale training of ../_base_/datasets/bdd100k_det_ms.py
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomChoiceResize',
         scales=[(1280, 720 - 24 * i) for i in range(6)], keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]))
max_epochs = 36
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1000),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[27, 33], gamma=0.1)
]
