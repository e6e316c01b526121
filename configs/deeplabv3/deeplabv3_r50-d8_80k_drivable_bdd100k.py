# DeepLabV3 R-50-D8, 512x1024, 80K, on BDD100K drivable area: published val mIoU 84.63.
# deeplabv3_r50-d8_40k_drivable_bdd100k.py on mmseg's schedule_80k.py (bdd100k-models
# deeplabv3_r50-d8_512x1024_80k_drivable_bdd100k).
_base_ = './deeplabv3_r50-d8_40k_drivable_bdd100k.py'

param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=80000, by_epoch=False)
]
train_cfg = dict(max_iters=80000, val_interval=8000)
default_hooks = dict(checkpoint=dict(interval=8000))
