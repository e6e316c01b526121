# BDD100K semantic segmentation as the earlier BDD100K zoo trained it
# (bdd100k-models sem_seg/configs/_base_/datasets/bdd100k_512x1024.py): mmseg's
# Cityscapes pipeline at BDD100K's 1280x720 (random rescale 0.5-2.0, 512x1024
# crop, flip, photometric distortion) in place of the base's Vis4D augmentation.
_base_ = './bdd100k_sem_seg.py'

crop_size = (512, 1024)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadBDD100KSemSegAnnotations'),
    dict(type='RandomResize', scale=(1280, 720), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
