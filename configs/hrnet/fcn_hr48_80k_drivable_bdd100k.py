# FCN HRNetV2-W48, 80K iterations, 512x1024 crops, on BDD100K drivable area
# (published val mIoU 83.27; bdd100k-models fcn_hr48_512x1024_80k_drivable_bdd100k).
# The 40K config at mmseg's 80k schedule.
_base_ = './fcn_hr48_40k_drivable_bdd100k.py'

train_cfg = dict(max_iters=80000, val_interval=8000)
param_scheduler = [dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=80000, by_epoch=False)]
default_hooks = dict(checkpoint=dict(interval=8000))
