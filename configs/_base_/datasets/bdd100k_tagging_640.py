# BDD100K image tagging at 640x640 (the earlier zoo's ResNet recipe): a diff against mmpretrain's
# ImageNet dataset config. Train: a random 640x640 crop of the 1280x720 image and flips; test:
# the centre 640x640 crop, no resize. The tag (weather, scene, timeofday) is set by the
# bdd100k_tagging_<tag>_<size>.py bases; the class ids are the tag's values (bdd100k_zoo.labels).
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs32.py'

dataset_type = 'BDD100KTaggingDataset'
data_root = 'data/bdd100k/'
crop_size = (640, 640)  # (h, w), the form every zoo size takes (tools/train.py --smoke shrinks it)
data_preprocessor = dict(num_classes=7)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CenterCrop', crop_size=crop_size),
    dict(type='PackInputs'),
]
# The frames' attributes: the 100K image labels, as the earlier zoo (labels/det_20/det_{train,val}
# .json carry the same attributes and read alike).
train_dataloader = dict(
    batch_size=12,
    num_workers=4,
    dataset=dict(_delete_=True, type=dataset_type, data_root=data_root,
                 ann_file='labels/bdd100k_labels_images_train.json',
                 data_prefix='images/100k/train', pipeline=train_pipeline))
# The test split has no labels: a submission run points the test dataloader at
#   ann_file='' data_prefix='images/100k/test'
# and tools/test.py --format-only makes the metric write the Scalabel frames.
val_dataloader = dict(
    batch_size=12,
    num_workers=4,
    dataset=dict(_delete_=True, type=dataset_type, data_root=data_root,
                 ann_file='labels/bdd100k_labels_images_val.json',
                 data_prefix='images/100k/val', pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(_delete_=True, type='BDD100KTaggingMetric',
                     ann_file=data_root + 'labels/bdd100k_labels_images_val.json')
test_evaluator = val_evaluator
