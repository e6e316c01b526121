# UPerNet ConvNeXt-T, mixed precision, 40K iterations, 512x1024 crops, on BDD100K drivable
# area (published val mIoU 77.69; bdd100k-models upernet_convnext-t_fp16_512x1024_40k_drivable_bdd100k).
# mmseg's convnext/convnext-tiny_upernet_8xb2-amp-160k_ade20k-512x512.py at 40k and
# 512x1024, the earlier zoo's recipe: ImageNet-1K ConvNeXt-T (mmpretrain), AdamW lr 1e-4
# wd 0.05 with stage-wise lr decay 0.9, fp16 with a dynamic loss scale, 1500 warmup
# iterations then linear decay to 0, 8 GPUs x 2 images, whole-image test (the stock
# ADE20K config slides). mmseg's upernet_convnext.py model base is upernet_swin.py's with
# this backbone, but it sets custom_imports, which mmengine forbids beside our runtime's:
# the backbone is stated here and mmpretrain imported with bdd100k_zoo.
_base_ = [
    'mmseg::_base_/models/upernet_swin.py',
    '../_base_/datasets/bdd100k_drivable_512x1024.py',
    '../_base_/default_runtime_seg.py',
    '../_base_/schedules/schedule_40k.py',
]
custom_imports = dict(imports=['bdd100k_zoo', 'mmpretrain.models'])

crop_size = (512, 1024)
num_classes = 3
checkpoint_file = 'https://download.openmmlab.com/mmclassification/v0/convnext/downstream/convnext-tiny_3rdparty_32xb128-noema_in1k_20220301-795e9634.pth'  # noqa
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        _delete_=True,
        type='mmpretrain.ConvNeXt',
        arch='tiny',
        out_indices=[0, 1, 2, 3],
        drop_path_rate=0.4,
        layer_scale_init_value=1.0,
        gap_before_final_norm=False,
        init_cfg=dict(type='Pretrained', checkpoint=checkpoint_file, prefix='backbone.')),
    decode_head=dict(in_channels=[96, 192, 384, 768], num_classes=num_classes),
    auxiliary_head=dict(in_channels=384, num_classes=num_classes))

optim_wrapper = dict(
    _delete_=True,
    type='AmpOptimWrapper',
    optimizer=dict(type='AdamW', lr=0.0001, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg={'decay_rate': 0.9, 'decay_type': 'stage_wise', 'num_layers': 6},
    constructor='LearningRateDecayOptimizerConstructor',
    loss_scale='dynamic')
max_iters = 40000
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', power=1.0, begin=1500, end=max_iters, eta_min=0.0, by_epoch=False)
]

train_dataloader = dict(batch_size=2)
# lr 1e-4 is for 8 GPUs x 2 images; --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
