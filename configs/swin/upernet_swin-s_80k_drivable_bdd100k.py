# UPerNet Swin-S, 80K iterations, 512x1024 crops, on BDD100K drivable area
# (published val mIoU 83.89; bdd100k-models upernet_swin-s_512x1024_80k_drivable_bdd100k).
# The Swin-T 80K config with mmseg's Swin-S lines (ImageNet-1K Swin-S, 18 blocks in stage 3).
_base_ = './upernet_swin-t_80k_drivable_bdd100k.py'

checkpoint_file = 'https://download.openmmlab.com/mmsegmentation/v0.5/pretrain/swin/swin_small_patch4_window7_224_20220317-7ba6d6dd.pth'  # noqa
model = dict(
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=checkpoint_file),
                  depths=[2, 2, 18, 2]))
