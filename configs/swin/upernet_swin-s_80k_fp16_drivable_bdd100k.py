# UPerNet Swin-S, mixed precision, 80K iterations, 512x1024 crops, on BDD100K drivable
# area (published val mIoU 83.76; bdd100k-models upernet_swin-s_fp16_512x1024_80k_drivable_bdd100k).
# The Swin-S config trained in fp16 with a dynamic loss scale (mmcv 1.x's Fp16OptimizerHook
# is mmengine's AmpOptimWrapper).
_base_ = './upernet_swin-s_80k_drivable_bdd100k.py'

optim_wrapper = dict(type='AmpOptimWrapper', loss_scale='dynamic')
