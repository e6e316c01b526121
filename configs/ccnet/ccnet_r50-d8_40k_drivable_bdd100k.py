# CCNet R-50-D8, 40K iterations, 512x1024 crops, on BDD100K drivable area
# (published val mIoU 83.69; bdd100k-models ccnet_r50-d8_512x1024_40k_drivable_bdd100k).
# mmseg's ccnet/ccnet_r50-d8_4xb2-40k_cityscapes-512x1024.py: its four bases (the Cityscapes
# dataset swapped for BDD100K's) plus the crop size. The earlier zoo's recipe is stock: SyncBN,
# ImageNet ResNet-50-V1c init, SGD lr 0.01 momentum 0.9 wd 5e-4, poly 0.9 down to 1e-4,
# 8 GPUs x 2 images.
_base_ = [
    'mmseg::_base_/models/ccnet_r50-d8.py',
    '../_base_/datasets/bdd100k_drivable_512x1024.py',
    '../_base_/default_runtime_seg.py',
    '../_base_/schedules/schedule_40k.py',
]

crop_size = (512, 1024)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=3), auxiliary_head=dict(num_classes=3))

train_dataloader = dict(batch_size=2)
# lr 0.01 is for 8 GPUs x 2 images; --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
