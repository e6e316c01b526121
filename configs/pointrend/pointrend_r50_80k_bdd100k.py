# PointRend R-50-FPN, 80K iterations, 512x1024 crops, on BDD100K semantic segmentation
# (published val mIoU 61.02; bdd100k-models pointrend_r50_512x1024_80k_sem_seg_bdd100k).
# The 40K config at mmseg's 80k schedule (the stock PointRend length).
_base_ = './pointrend_r50_40k_bdd100k.py'

max_iters = 80000
train_cfg = dict(max_iters=max_iters, val_interval=8000)
param_scheduler = [
    dict(type='LinearLR', by_epoch=False, start_factor=0.1, begin=0, end=200),
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=200, end=max_iters, by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=8000))
