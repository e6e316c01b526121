# BDD100K semantic segmentation: 10K images (1280x720), 19 classes, 255 unlabeled.
# A diff against mmseg's Cityscapes dataset config: BDD100K dataset, label
# loader and metric, and Vis4D's augmentation.
_base_ = 'mmseg::_base_/datasets/cityscapes.py'

dataset_type = 'BDD100KSemSegDataset'
data_root = 'data/bdd100k/'
crop_size = (512, 1024)
image_scale = (1280, 720)
# Decodes the RLE labels and reads the PNG masks alike, and checks size and values.
load_labels = dict(type='LoadBDD100KSemSegAnnotations')

# Vis4D crops 512x1024 straight from the 1280x720 image: no random rescale
# (the older mmseg BDD100K zoo rescaled by 0.5-2.0 first; we follow Vis4D), then
# flips and, with p=0.5, applies torchvision's ColorJitter (brightness x0.875-1.125,
# contrast and saturation 0.5-1.5, hue +-0.05, in random order).
train_pipeline = [
    dict(type='LoadImageFromFile'),
    load_labels,
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='ColorJitter', brightness=(0.875, 1.125), contrast=(0.5, 1.5),
         saturation=(0.5, 1.5), hue=(-0.05, 0.05), prob=0.5),
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
# Labels: the Scalabel RLE release (as Vis4D). For the PNG release instead:
#   ann_file='' data_prefix.seg_map_path='labels/sem_seg/masks/train' (and val)
train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='labels/sem_seg/rles/sem_seg_train.json',
        data_prefix=dict(_delete_=True, img_path='images/10k/train'),
        pipeline=train_pipeline))
# The test split has no labels: a submission run points the test dataloader at
#   ann_file='' data_prefix.img_path='images/10k/test'
# and tools/test.py --format-only makes the metric write the PNG zip.
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='labels/sem_seg/rles/sem_seg_val.json',
        data_prefix=dict(_delete_=True, img_path='images/10k/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(_delete_=True, type='BDD100KSemSegMetric')
test_evaluator = val_evaluator
