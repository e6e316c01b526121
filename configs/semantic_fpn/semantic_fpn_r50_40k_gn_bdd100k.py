# Semantic FPN R-50, GN head, 512x1024, 40K, on BDD100K semantic segmentation: published val mIoU
# 59.44.
# semantic_fpn_r50_80k_gn_bdd100k.py on mmseg's schedule_40k.py (bdd100k-models
# fpn_r50_gn_512x1024_40k_sem_seg_bdd100k).
_base_ = './semantic_fpn_r50_80k_gn_bdd100k.py'

param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=40000, by_epoch=False)
]
train_cfg = dict(max_iters=40000, val_interval=4000)
default_hooks = dict(checkpoint=dict(interval=4000))
