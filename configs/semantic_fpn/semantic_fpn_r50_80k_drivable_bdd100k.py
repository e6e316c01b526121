# Semantic FPN R-50, 512x1024, 80K, on BDD100K drivable area: published val mIoU 78.25.
# semantic_fpn_r50_40k_drivable_bdd100k.py on mmseg's schedule_80k.py (bdd100k-models
# fpn_r50_512x1024_80k_drivable_bdd100k).
_base_ = './semantic_fpn_r50_40k_drivable_bdd100k.py'

param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=80000, by_epoch=False)
]
train_cfg = dict(max_iters=80000, val_interval=8000)
default_hooks = dict(checkpoint=dict(interval=8000))
