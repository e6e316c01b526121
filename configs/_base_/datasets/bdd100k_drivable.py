# BDD100K drivable area: 100K images (1280x720), 3 classes (direct, alternative,
# background), 255 unlabeled. A diff against mmseg's Cityscapes dataset config:
# BDD100K dataset, label loader and metric, and the earlier BDD100K zoo's
# (bdd100k-models drivable/) pipeline, which is mmseg's Cityscapes one at
# BDD100K's 1280x720: random rescale 0.5-2.0, 512x1024 crop, flip, photometric
# distortion.
_base_ = 'mmseg::_base_/datasets/cityscapes.py'

dataset_type = 'BDD100KDrivableDataset'
data_root = 'data/bdd100k/'
crop_size = (512, 1024)
image_scale = (1280, 720)
# Reads the PNG masks and decodes the RLE labels alike, and checks size and values.
load_labels = dict(type='LoadBDD100KSemSegAnnotations', task='drivable')

train_pipeline = [
    dict(type='LoadImageFromFile'),
    load_labels,
    dict(type='RandomResize', scale=image_scale, ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    load_labels,  # after Resize: scored at the original size
    dict(type='PackSegInputs')
]
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='TestTimeAug',
         transforms=[[dict(type='Resize', scale_factor=r, keep_ratio=True)
                      for r in (0.5, 0.75, 1.0, 1.25, 1.5, 1.75)],
                     [dict(type='RandomFlip', prob=0., direction='horizontal'),
                      dict(type='RandomFlip', prob=1., direction='horizontal')],
                     [load_labels], [dict(type='PackSegInputs')]])
]
# Labels: the PNG masks (as the earlier zoo). For the Scalabel RLE release instead:
#   ann_file='labels/drivable/rles/drivable_train.json' data_prefix.seg_map_path='' (and val)
train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='images/100k/train',
                         seg_map_path='labels/drivable/masks/train'),
        pipeline=train_pipeline))
# The test split has no labels: a submission run points the test dataloader at
#   data_prefix.img_path='images/100k/test' data_prefix.seg_map_path=''
# and tools/test.py --format-only makes the metric write the PNG zip.
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='images/100k/val', seg_map_path='labels/drivable/masks/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(_delete_=True, type='BDD100KDrivableMetric')
test_evaluator = val_evaluator
