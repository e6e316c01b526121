# Panoptic FPN R50-FPN 3x, multi-scale training (published val PQ 22.39,
# earlier BDD100K zoo). As mmdet's panoptic-fpn_r50_fpn_ms-3x_coco.py (36
# epochs, [24, 33], validation every 3 epochs) except the scales: the earlier
# zoo picks one of six heights 600..720 at width 1280 per image, stock mmdet a
# random size in 640..800 at 1333.
_base_ = './panoptic_fpn_r50_1x_bdd100k.py'

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadBDD100KPanopticAnnotations'),
    dict(type='RandomChoiceResize',
         scales=[(1280, 720 - 24 * i) for i in range(6)], keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

max_epochs = 36
train_cfg = dict(max_epochs=max_epochs, val_interval=3)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[24, 33], gamma=0.1)
]
