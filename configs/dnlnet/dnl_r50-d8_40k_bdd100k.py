# DNLNet R-50-D8, 40K iterations, 512x1024 crops, on BDD100K semantic segmentation
# (published val mIoU 61.93; bdd100k-models dnl_r50-d8_512x1024_40k_sem_seg_bdd100k).
# mmseg's dnlnet/dnl_r50-d8_4xb2-40k_cityscapes-512x1024.py: its four bases (the Cityscapes
# dataset swapped for BDD100K's) plus the crop size. The earlier zoo's recipe is stock: SyncBN,
# ImageNet ResNet-50-V1c init, SGD lr 0.01 momentum 0.9 wd 5e-4, poly 0.9 down to 1e-4,
# 8 GPUs x 2 images.
_base_ = [
    'mmseg::_base_/models/dnl_r50-d8.py',
    '../_base_/datasets/bdd100k_sem_seg_512x1024.py',
    '../_base_/default_runtime_seg.py',
    '../_base_/schedules/schedule_40k.py',
]

crop_size = (512, 1024)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=19), auxiliary_head=dict(num_classes=19))

train_dataloader = dict(batch_size=2)
# lr 0.01 is for 8 GPUs x 2 images; --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
