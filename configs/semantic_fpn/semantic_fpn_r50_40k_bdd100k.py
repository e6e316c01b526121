# Semantic FPN R50 (ResNet-50-V1c), 40K iterations, 512x1024 crops, on BDD100K
# semantic segmentation (published val mIoU 59.2).
# mmseg's sem_fpn/fpn_r50_4xb2-80k_cityscapes-512x1024.py is exactly these four
# bases plus the crop size below (its dataset base is swapped for BDD100K; mmengine
# forbids listing it beside our dataset base). Model as stock: SyncBN (the Runner
# turns it into BN when not distributed, e.g. on one CPU process), FPNHead 128
# channels, dropout 0.1, ImageNet ResNet-50-V1c init. The stock 40k schedule is
# Vis4D's SGD lr 0.01, momentum 0.9, wd 5e-4, poly 0.9 down to 1e-4.
_base_ = [
    'mmseg::_base_/models/fpn_r50.py',
    '../_base_/datasets/bdd100k_sem_seg.py',
    '../_base_/default_runtime_seg.py',
    '../_base_/schedules/schedule_40k.py',
]

crop_size = (512, 1024)
model = dict(data_preprocessor=dict(size=crop_size))

# Vis4D adds a 500-iteration linear warmup that runs alongside the poly decay.
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=40000, by_epoch=False)
]
# Vis4D validates and saves every 2000 iterations
train_cfg = dict(val_interval=2000)
default_hooks = dict(checkpoint=dict(interval=2000))

# lr 0.01 is for 8 GPUs x 2 images (the BDD100K zoo's batch of 16);
# --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
