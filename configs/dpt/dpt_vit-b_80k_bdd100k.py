# DPT ViT-B/16, 80K iterations, 512x1024 crops, on BDD100K semantic segmentation
# (published val mIoU 63.53; bdd100k-models dpt_vit_512x1024_80k_sem_seg_bdd100k).
# mmseg's dpt/dpt_vit-b16_8xb2-160k_ade20k-512x512.py at 80k: its bases (ADE20K swapped for
# BDD100K) and its AdamW and warmup lines, the earlier zoo's recipe: AdamW lr 6e-5 wd 0.01
# (none on norms, position embedding and class token), 1500 warmup iterations, then linear
# decay to 0, 8 GPUs x 2 images. Initial weights: timm's ImageNet ViT-B/16 (the earlier zoo
# read it pre-converted from a local pretrain/vit_base_patch16_224.pth), converted on load
# by the vit2mmseg:// scheme (bdd100k_zoo.utils.checkpoint) as mmseg's vit2mmseg.py does.
_base_ = [
    'mmseg::_base_/models/dpt_vit-b16.py',
    '../_base_/datasets/bdd100k_sem_seg_512x1024.py',
    '../_base_/default_runtime_seg.py',
    '../_base_/schedules/schedule_80k.py',
]

crop_size = (512, 1024)
timm_vit_b16 = 'https://github.com/rwightman/pytorch-image-models/releases/download/v0.1-vitjx/jx_vit_base_p16_224-80ecf9dd.pth'  # noqa
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=f'vit2mmseg://{timm_vit_b16}',
    decode_head=dict(num_classes=19))

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.00006, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(
        custom_keys={
            'pos_embed': dict(decay_mult=0.),
            'cls_token': dict(decay_mult=0.),
            'norm': dict(decay_mult=0.)
        }))
max_iters = 80000
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=1500, end=max_iters, by_epoch=False)
]

train_dataloader = dict(batch_size=2)
# lr 6e-5 is for 8 GPUs x 2 images; --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
