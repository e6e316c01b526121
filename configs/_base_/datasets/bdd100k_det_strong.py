# The earlier zoo's "strong" augmentation for BDD100K detection (its
# det/configs/_base_/datasets/bdd100k_strong.py): a mosaic of four images and mix-up with
# another, then flip, a random rescale of 1280x720 by 0.5-1.5, a 720x1280 crop and
# photometric distortion. mmdet 3.x scales are (w, h), crops (h, w).
# Variables, not a dataloader, so that a detection config takes it beside its dataset base:
#   train_dataloader = dict(dataset=dict(
#       _delete_=True, type='MultiImageMixDataset', pipeline=_base_.strong_pipeline,
#       dataset=dict(_base_.train_dataloader.dataset, pipeline=_base_.strong_load_pipeline)))
# and PipelineSwitchHook(switch_pipeline=_base_.strong_off_pipeline) for the last epochs.
strong_scale = (1280, 720)
# the wrapped dataset only loads: the mixing transforms fetch the other images from it
strong_load_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True)
]
strong_pipeline = [
    dict(type='Mosaic', img_scale=strong_scale),
    dict(type='MixUp', img_scale=strong_scale),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomResize', scale=strong_scale, ratio_range=(0.5, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=(720, 1280)),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackDetInputs')
]
# mixing off, single scale
strong_off_pipeline = [
    dict(type='Resize', scale=strong_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
