# Mask R-CNN HRNetV2p-W32 3x, multi-scale training (published val mask AP 22.45, box AP
# 28.16; earlier BDD100K zoo): the W32 1x model on the zoo's 3x recipe (one of six heights
# 600..720 at width 1280 per image, 36 epochs [24, 33]).
_base_ = './mask_rcnn_hrnetv2p_w32_1x_bdd100k.py'

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomChoiceResize',
         scales=[(1280, 720 - 24 * i) for i in range(6)], keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

max_epochs = 36
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[24, 33], gamma=0.1)
]
