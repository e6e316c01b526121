# Cascade R-CNN ConvNeXt-T 1x, mixed precision, on BDD100K detection (published val box AP
# 35.51). mmdet's Cascade R-CNN R50-FPN (the earlier zoo's model base: mmdet's stock
# ConvNeXt cascade configs use 4conv1fc GIoU heads instead) with the backbone and
# recipe of faster_rcnn_convnext-t_1x_bdd100k.py.
_base_ = [
    'mmdet::_base_/models/cascade-rcnn_r50_fpn.py',
    '../_base_/datasets/bdd100k_det.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py',
]

custom_imports = dict(imports=['bdd100k_zoo', 'mmpretrain.models'], allow_failed_imports=False)
convnext_url = 'https://download.openmmlab.com/mmclassification/v0/convnext/'
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.ConvNeXt',
        arch='tiny',
        out_indices=[0, 1, 2, 3],
        drop_path_rate=0.4,
        layer_scale_init_value=1.0,
        gap_before_final_norm=False,
        init_cfg=dict(
            type='Pretrained', prefix='backbone.', checkpoint=convnext_url +
            'downstream/convnext-tiny_3rdparty_32xb128-noema_in1k_20220301-795e9634.pth')),
    neck=dict(in_channels=[96, 192, 384, 768]),
    roi_head=dict(
        bbox_head=[dict(head, num_classes=10) for head in _base_.model.roi_head.bbox_head]))

train_dataloader = dict(batch_size=4)
max_epochs = 12
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1000),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[9, 11], gamma=0.1)
]
optim_wrapper = dict(
    type='AmpOptimWrapper',
    loss_scale=dict(init_scale=512),
    constructor='LearningRateDecayOptimizerConstructor',
    paramwise_cfg={
        'decay_rate': 0.95,
        'decay_type': 'layer_wise',
        'num_layers': 6
    },
    optimizer=dict(
        _delete_=True, type='AdamW', lr=0.0001, betas=(0.9, 0.999), weight_decay=0.05))
# 8 GPUs x 4 images; --auto-scale-lr rescales lr to the real batch
auto_scale_lr = dict(base_batch_size=32)
