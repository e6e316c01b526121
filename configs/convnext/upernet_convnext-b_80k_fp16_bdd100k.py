# UPerNet ConvNeXt-B, mixed precision, 80K iterations, 512x1024 crops, on BDD100K semantic
# segmentation (published val mIoU 67.26; bdd100k-models upernet_convnext-b_fp16_512x1024_80k_sem_seg_bdd100k).
# The ConvNeXt-T 80K config with ConvNeXt-B (128 channels, drop path 0.4), initialised as
# the earlier zoo did from the ImageNet-21K-pretrained, ImageNet-1K-finetuned file (mmseg's
# stock ConvNeXt-B config takes the ImageNet-1K-only one).
_base_ = './upernet_convnext-t_80k_fp16_bdd100k.py'

checkpoint_file = 'https://download.openmmlab.com/mmclassification/v0/convnext/convnext-base_in21k-pre-3rdparty_32xb128_in1k_20220124-eb2d6ada.pth'  # noqa
model = dict(
    backbone=dict(arch='base',
                  init_cfg=dict(type='Pretrained', checkpoint=checkpoint_file,
                                prefix='backbone.')),
    decode_head=dict(in_channels=[128, 256, 512, 1024]),
    auxiliary_head=dict(in_channels=512))
