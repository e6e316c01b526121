# BDD100K drivable area at the earlier BDD100K zoo's 769x769 crop
# (bdd100k-models drivable/configs/_base_/datasets/bdd100k.py), as mmseg's
# cityscapes_769x769.py is to cityscapes.py: the image scale one pixel over
# 1280x720 (odd sizes, for align_corners=True). Models on it set
# align_corners=True and slide inference (crop 769, stride 513), as mmseg's
# *_cityscapes-769x769.py configs do.
_base_ = './bdd100k_drivable.py'

crop_size = (769, 769)
image_scale = (1281, 721)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadBDD100KSemSegAnnotations', task='drivable'),
    dict(type='RandomResize', scale=image_scale, ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    # after Resize: scored at the original size
    dict(type='LoadBDD100KSemSegAnnotations', task='drivable'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
