# BDD100K instance segmentation: 10K images (1280x720), 8 classes, official
# Scalabel RLE labels. The detection base (bdd100k_det.py: mmdet's COCO loaders and
# test pipeline, Vis4D's 1280x720 single scale) with the 10K images, masks in training
# and the instance-segmentation dataset and metric.
# ann_file may also be labels/ins_seg/polygons/ins_seg_<split>.json or the
# bitmask folder labels/ins_seg/bitmasks/<split> (see BDD100KInsSegDataset).
_base_ = './bdd100k_det.py'

dataset_type = 'BDD100KInsSegDataset'
data_root = 'data/bdd100k/'
image_scale = (1280, 720)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
# Ground-truth masks are not loaded at test (the detection test pipeline): the metric
# reads the label file.
train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        ann_file='labels/ins_seg/rles/ins_seg_train.json',
        data_prefix=dict(img='images/10k/train/'),
        pipeline=train_pipeline))
# The test split has no labels: a submission run points the test dataloader at
#   ann_file='' data_prefix.img='images/10k/test/'
# and tools/test.py --format-only makes the metric write <prefix>.json (RLE) and
# the server's bitmask format <prefix>_bitmasks/*.png + <prefix>_scores.json.
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        ann_file='labels/ins_seg/rles/ins_seg_val.json',
        data_prefix=dict(img='images/10k/val/')))
test_dataloader = val_dataloader

# remove_overlap=True gives overlapping mask pixels to the higher-scoring
# instance before RLE encoding: Vis4D's Det2Mask(no_overlap=True).
val_evaluator = dict(
    _delete_=True, type='BDD100KInsSegMetric',
    ann_file=data_root + 'labels/ins_seg/rles/ins_seg_val.json', remove_overlap=True)
test_evaluator = val_evaluator
