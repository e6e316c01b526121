# UPerNet Swin-T, 40K iterations, 512x1024 crops, on BDD100K drivable area
# (published val mIoU 81.87; bdd100k-models upernet_swin-t_512x1024_40k_drivable_bdd100k).
# mmseg's swin/swin-tiny-patch4-window7-in1k-pre_upernet_8xb2-160k_ade20k-512x512.py: its
# bases (ADE20K swapped for BDD100K, 160k for 40k) and its Swin-T, AdamW and warmup lines,
# the earlier zoo's recipe: ImageNet-1K Swin-T, AdamW lr 6e-5 wd 0.01 (none on norms and
# position tables), 1500 warmup iterations, then linear decay to 0, 8 GPUs x 2 images.
_base_ = [
    'mmseg::_base_/models/upernet_swin.py',
    '../_base_/datasets/bdd100k_drivable_512x1024.py',
    '../_base_/default_runtime_seg.py',
    '../_base_/schedules/schedule_40k.py',
]

crop_size = (512, 1024)
num_classes = 3
checkpoint_file = 'https://download.openmmlab.com/mmsegmentation/v0.5/pretrain/swin/swin_tiny_patch4_window7_224_20220317-1cdeb081.pth'  # noqa
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        init_cfg=dict(type='Pretrained', checkpoint=checkpoint_file),
        embed_dims=96,
        depths=[2, 2, 6, 2],
        num_heads=[3, 6, 12, 24],
        window_size=7,
        use_abs_pos_embed=False,
        drop_path_rate=0.3,
        patch_norm=True),
    decode_head=dict(in_channels=[96, 192, 384, 768], num_classes=num_classes),
    auxiliary_head=dict(in_channels=384, num_classes=num_classes))

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.00006, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(
        custom_keys={
            'absolute_pos_embed': dict(decay_mult=0.),
            'relative_position_bias_table': dict(decay_mult=0.),
            'norm': dict(decay_mult=0.)
        }))
max_iters = 40000
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=1500, end=max_iters, by_epoch=False)
]

train_dataloader = dict(batch_size=2)
# lr 6e-5 is for 8 GPUs x 2 images; --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
