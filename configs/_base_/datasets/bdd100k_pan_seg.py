# BDD100K panoptic segmentation: 10K images (1280x720), 10 thing + 30 stuff
# classes (things first, as mmdet's panoptic heads need), official Scalabel RLE
# labels. A diff against mmdet's COCO panoptic dataset config: BDD100K dataset,
# a label loader for Scalabel RLE instead of COCO-panoptic PNGs, the BDD100K
# metric, and the earlier BDD100K zoo's 1280x720 single scale.
_base_ = 'mmdet::_base_/datasets/coco_panoptic.py'

dataset_type = 'BDD100KPanSegDataset'
data_root = 'data/bdd100k/'
image_scale = (1280, 720)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadBDD100KPanopticAnnotations'),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
# Ground truth is not loaded at test: the metric reads the label file.
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='labels/pan_seg/rles/pan_seg_train.json',
        data_prefix=dict(_delete_=True, img='images/10k/train/'),
        pipeline=train_pipeline))
# The test split has no labels: a submission run points the test dataloader at
#   ann_file='' data_prefix.img='images/10k/test/'
# and tools/test.py --format-only makes the metric write <prefix>.json (RLE) and
# the bitmasks <prefix>_bitmasks/*.png + <prefix>_bitmasks.zip.
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='labels/pan_seg/rles/pan_seg_val.json',
        data_prefix=dict(_delete_=True, img='images/10k/val/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(
    _delete_=True, type='BDD100KPanSegMetric',
    ann_file=data_root + 'labels/pan_seg/rles/pan_seg_val.json')
test_evaluator = val_evaluator
