# The README's demo: the Faster R-CNN 1x zoo config on the small synthetic
# BDD100K-format sample that tools/demo.py writes, shrunk to run on a laptop
# CPU in minutes. Only what the demo needs differs from the zoo config.
_base_ = '../faster_rcnn/faster_rcnn_r50_1x_bdd100k.py'

data_root = 'work_dirs/demo/data/'
image_scale = (384, 216)

# No download: the demo starts from random weights (users train from ImageNet).
model = dict(backbone=dict(init_cfg=None))

train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='Resize', scale=image_scale, keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='PackDetInputs')
        ]))
val_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(
        data_root=data_root,
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='Resize', scale=image_scale, keep_ratio=True),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='PackDetInputs',
                 meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
        ]))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'labels/det_20/det_val.json')
test_evaluator = val_evaluator

max_epochs = 6
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=0.01), clip_grad=dict(max_norm=10))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[5], gamma=0.1)
]
# 72 iterations from random weights leave every score below the 0.3 mmdet's hook
# paints from: paint every box the model outputs (its test_cfg keeps scores > 0.05).
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=max_epochs),
                     visualization=dict(score_thr=0.05))
log_processor = dict(window_size=5)
randomness = dict(seed=0)
