# FCOS R50-caffe-FPN (GN head) 1x on BDD100K detection (published val box AP 27.69; earlier
# BDD100K zoo, mmdet 2.x). mmdet's fcos/fcos_r50-caffe_fpn_gn-head_1x_coco.py with the BDD100K
# dataset and that zoo's recipe: SGD lr 0.01 for 8 GPUs x 4 images, gradient clipping at 35,
# constant warmup (1/3) for 500 iterations, 12 epochs [8, 11], 1280x720, open-mmlab's caffe
# ResNet-50 (BGR, mean subtracted, std 1). Bias lr x2 without decay is stock FCOS's (mmdet
# 2.x's too); the catalogue does not record it.
_base_ = [
    '../_base_/models/fcos_r50-caffe_fpn_gn-head.py',
    '../_base_/datasets/bdd100k_det.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py',
]

model = dict(bbox_head=dict(num_classes=10))
train_dataloader = dict(batch_size=4)
param_scheduler = [
    dict(type='ConstantLR', factor=1.0 / 3, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1)
]
optim_wrapper = dict(
    optimizer=dict(lr=0.01),
    paramwise_cfg=dict(bias_lr_mult=2., bias_decay_mult=0.),
    clip_grad=dict(max_norm=35, norm_type=2))
# lr is for 8 GPUs x 4 images; --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=32)
