# PointRend R-50-FPN, 40K iterations, 512x1024 crops, on BDD100K drivable area
# (published val mIoU 77.33; bdd100k-models pointrend_r50_512x1024_40k_drivable_bdd100k).
# mmseg's point_rend/pointrend_r50_4xb2-80k_cityscapes-512x1024.py at 40k: its four bases
# (the Cityscapes dataset swapped for BDD100K's) and its 200-iteration warmup (factor 0.1)
# before the poly decay. Recipe as stock: SyncBN, ImageNet ResNet-50-V1c init, SGD lr 0.01
# momentum 0.9 wd 5e-4, poly 0.9 down to 1e-4, 8 GPUs x 2 images.
_base_ = [
    'mmseg::_base_/models/pointrend_r50.py',
    '../_base_/datasets/bdd100k_drivable_512x1024.py',
    '../_base_/default_runtime_seg.py',
    '../_base_/schedules/schedule_40k.py',
]

crop_size = (512, 1024)
num_classes = 3
# mmseg's two cascaded heads with 3 classes; a list replaces the base's whole, so both are
# restated as in mmseg's pointrend_r50.py
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=[
        dict(type='FPNHead', in_channels=[256, 256, 256, 256], in_index=[0, 1, 2, 3],
             feature_strides=[4, 8, 16, 32], channels=128, dropout_ratio=-1,
             num_classes=num_classes, norm_cfg=norm_cfg, align_corners=False,
             loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
        dict(type='PointHead', in_channels=[256], in_index=[0], channels=256, num_fcs=3,
             coarse_pred_each_layer=True, dropout_ratio=-1, num_classes=num_classes,
             align_corners=False,
             loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0))
    ])
max_iters = 40000
param_scheduler = [
    dict(type='LinearLR', by_epoch=False, start_factor=0.1, begin=0, end=200),
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=200, end=max_iters, by_epoch=False)
]

train_dataloader = dict(batch_size=2)
# lr 0.01 is for 8 GPUs x 2 images; --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
