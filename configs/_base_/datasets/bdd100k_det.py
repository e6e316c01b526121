# BDD100K 2D detection: 100K images (1280x720), det_20 Scalabel labels, 10 classes.
# A diff against mmdet's COCO detection dataset config: same pipeline shape and
# loaders, BDD100K dataset/metric and Vis4D's 1280x720 single scale.
_base_ = 'mmdet::_base_/datasets/coco_detection.py'

dataset_type = 'BDD100KDetDataset'
data_root = 'data/bdd100k/'
image_scale = (1280, 720)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='labels/det_20/det_train.json',
        data_prefix=dict(img='images/100k/train/'),
        pipeline=train_pipeline))
# The test split has no labels: a submission run points the test dataloader at
#   ann_file='' data_prefix.img='images/100k/test/'
# and the evaluator at format_only=True (tools/test.py --format-only does that part).
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='labels/det_20/det_val.json',
        data_prefix=dict(img='images/100k/val/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(
    _delete_=True, type='BDD100KDetMetric', ann_file=data_root + 'labels/det_20/det_val.json')
test_evaluator = val_evaluator
