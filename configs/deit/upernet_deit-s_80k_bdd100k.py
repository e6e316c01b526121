# UPerNet DeiT-S/16, 80K iterations, 512x1024 crops, on BDD100K semantic segmentation
# (published val mIoU 61.52; bdd100k-models upernet_deit-s_512x1024_80k_sem_seg_bdd100k).
# The earlier zoo's file inherits ./upernet_vit-b_80k_bdd100k.py, which does not
# exist (its ViT-B config was renamed ..._sem_seg_bdd100k.py): this is what it intended,
# the zoo's ViT-B config with the DeiT-S lines of mmseg's
# vit/vit_deit-s16_upernet_8xb2-80k_ade20k-512x512.py (384 channels, 6 heads, drop path
# 0.1, no multi-level neck). Initial weights: DeiT's ImageNet DeiT-S (the earlier zoo read
# it pre-converted from a local pretrain/deit_small_patch16_224-cd65a155.pth), converted on
# load by the vit2mmseg:// scheme as mmseg's vit2mmseg.py does.
_base_ = '../vit/upernet_vit-b_80k_bdd100k.py'

model = dict(
    pretrained='vit2mmseg://https://dl.fbaipublicfiles.com/deit/deit_small_patch16_224-cd65a155.pth',  # noqa
    backbone=dict(num_heads=6, embed_dims=384, drop_path_rate=0.1),
    neck=None,
    decode_head=dict(in_channels=[384, 384, 384, 384]),
    auxiliary_head=dict(in_channels=384))
