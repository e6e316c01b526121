# UPerNet ConvNeXt-S, mixed precision, 80K iterations, 512x1024 crops, on BDD100K semantic
# segmentation (published val mIoU 66.13; bdd100k-models upernet_convnext-s_fp16_512x1024_80k_sem_seg_bdd100k).
# The ConvNeXt-T 80K config with mmseg's ConvNeXt-S lines (ImageNet-1K ConvNeXt-S, drop
# path 0.3).
_base_ = './upernet_convnext-t_80k_fp16_bdd100k.py'

checkpoint_file = 'https://download.openmmlab.com/mmclassification/v0/convnext/downstream/convnext-small_3rdparty_32xb128-noema_in1k_20220301-303e75e3.pth'  # noqa
model = dict(
    backbone=dict(arch='small', drop_path_rate=0.3,
                  init_cfg=dict(type='Pretrained', checkpoint=checkpoint_file,
                                prefix='backbone.')))
