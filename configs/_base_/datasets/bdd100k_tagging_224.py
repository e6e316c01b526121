# BDD100K image tagging at 224x224 (the earlier zoo's VGG / ResNet 224 recipe): the 640x640 base
# with mmpretrain's ImageNet pipelines (train: RandomResizedCrop 224 and flips; test: the short
# side resized to 256, the centre 224x224 crop) and 32 images per GPU.
_base_ = './bdd100k_tagging_640.py'

crop_size = (224, 224)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=crop_size),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=256, edge='short'),
    dict(type='CenterCrop', crop_size=crop_size),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=32, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=32, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
