# BDD100K detection with Vis4D's multi-scale training: heights 600..720 in
# steps of 24 at width 1280, one picked per image (mmdet 2.x "value" mode).
_base_ = './bdd100k_det.py'

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomChoiceResize',
         scales=[(1280, 720 - 24 * i) for i in range(6)], keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
