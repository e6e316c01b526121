# UPerNet ConvNeXt-T, mixed precision, 80K iterations, 512x1024 crops, on BDD100K semantic
# segmentation (published val mIoU 64.36; bdd100k-models upernet_convnext-t_fp16_512x1024_80k_sem_seg_bdd100k).
# The 40K config at 80k iterations.
_base_ = './upernet_convnext-t_40k_fp16_bdd100k.py'

max_iters = 80000
train_cfg = dict(max_iters=max_iters, val_interval=8000)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', power=1.0, begin=1500, end=max_iters, eta_min=0.0, by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=8000))
