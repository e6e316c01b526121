# BDD100K instance segmentation with Vis4D's multi-scale training: heights
# 600..720 in steps of 24 at width 1280, one picked per image.
_base_ = './bdd100k_ins_seg.py'

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomChoiceResize',
         scales=[(1280, 720 - 24 * i) for i in range(6)], keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
