# UPerNet Swin-B, mixed precision, 80K iterations, 512x1024 crops, on BDD100K drivable
# area (published val mIoU 83.93; bdd100k-models upernet_swin-b_fp16_512x1024_80k_drivable_bdd100k).
# The Swin-S fp16 config with mmseg's Swin-B lines (ImageNet-1K Swin-B, 128 channels).
_base_ = './upernet_swin-s_80k_fp16_drivable_bdd100k.py'

checkpoint_file = 'https://download.openmmlab.com/mmsegmentation/v0.5/pretrain/swin/swin_base_patch4_window7_224_20220317-e9b98025.pth'  # noqa
model = dict(
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=checkpoint_file),
                  embed_dims=128, num_heads=[4, 8, 16, 32]),
    decode_head=dict(in_channels=[128, 256, 512, 1024]),
    auxiliary_head=dict(in_channels=512))
