# FCN HRNetV2-W48, 40K iterations, 512x1024 crops, on BDD100K drivable area
# (published val mIoU 83.24; bdd100k-models fcn_hr48_512x1024_40k_drivable_bdd100k).
# mmseg's hrnet/fcn_hr48_4xb2-40k_cityscapes-512x1024.py: its four bases (the Cityscapes
# dataset swapped for BDD100K's) and the W48 widths below. The earlier zoo's recipe is
# stock: SyncBN, ImageNet HRNetV2-W48 init, SGD lr 0.01 momentum 0.9 wd 5e-4, poly 0.9
# down to 1e-4, 8 GPUs x 2 images.
_base_ = [
    'mmseg::_base_/models/fcn_hr18.py',
    '../_base_/datasets/bdd100k_drivable_512x1024.py',
    '../_base_/default_runtime_seg.py',
    '../_base_/schedules/schedule_40k.py',
]

crop_size = (512, 1024)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained='open-mmlab://msra/hrnetv2_w48',
    backbone=dict(extra=dict(stage2=dict(num_channels=(48, 96)),
                             stage3=dict(num_channels=(48, 96, 192)),
                             stage4=dict(num_channels=(48, 96, 192, 384)))),
    decode_head=dict(in_channels=[48, 96, 192, 384], channels=sum([48, 96, 192, 384]),
                     num_classes=3))

train_dataloader = dict(batch_size=2)
# lr 0.01 is for 8 GPUs x 2 images; --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
