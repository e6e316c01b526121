# HRNet-W48 at 256x192: the earlier zoo's hrnet_w48_256x192_1x_pose_bdd100k, the W32 recipe with
# the widths and ImageNet weights of mmpose's td-hm_hrnet-w48 COCO config (64 images per GPU).
_base_ = './hrnet_pose_w32_1x_256x192_bdd100k.py'

model = dict(
    backbone=dict(
        extra=dict(stage2=dict(num_channels=(48, 96)), stage3=dict(num_channels=(48, 96, 192)),
                   stage4=dict(num_channels=(48, 96, 192, 384))),
        init_cfg=dict(checkpoint='https://download.openmmlab.com/mmpose/'
                      'pretrain_models/hrnet_w48-8ef0771d.pth')),
    head=dict(in_channels=48))
