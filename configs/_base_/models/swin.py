# Swin-T/S/B backbones as mmdet's stock Swin configs build them
# (swin/mask-rcnn_swin-t-p4-w7_fpn_1x_coco.py), from the Swin authors' ImageNet files
# (mmdet converts their layout on load: convert_weights). Variables, not a `model`, as
# resnet50_torchvision.py: model=dict(backbone=dict(_delete_=True, **_base_.swin_t)).
swin_url = 'https://github.com/SwinTransformer/storage/releases/download/v1.0.0/'
swin_t = dict(
    type='SwinTransformer',
    embed_dims=96,
    depths=[2, 2, 6, 2],
    num_heads=[3, 6, 12, 24],
    window_size=7,
    mlp_ratio=4,
    qkv_bias=True,
    qk_scale=None,
    drop_rate=0.,
    attn_drop_rate=0.,
    drop_path_rate=0.2,
    patch_norm=True,
    out_indices=(0, 1, 2, 3),
    with_cp=False,
    convert_weights=True,
    init_cfg=dict(type='Pretrained', checkpoint=swin_url + 'swin_tiny_patch4_window7_224.pth'))
swin_s = dict(
    swin_t, depths=[2, 2, 18, 2],
    init_cfg=dict(type='Pretrained', checkpoint=swin_url + 'swin_small_patch4_window7_224.pth'))
swin_b = dict(
    swin_s, embed_dims=128, num_heads=[4, 8, 16, 32],
    init_cfg=dict(type='Pretrained', checkpoint=swin_url + 'swin_base_patch4_window7_224.pth'))
# the FPN inputs: Swin's four stage widths
swin_t_channels = swin_s_channels = [96, 192, 384, 768]
swin_b_channels = [128, 256, 512, 1024]
