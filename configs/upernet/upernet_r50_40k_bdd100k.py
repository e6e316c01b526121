# UPerNet R-50, 512x1024, 40K, on BDD100K semantic segmentation: published val mIoU 61.12.
# bdd100k-models upernet_r50-d8_512x1024_40k_sem_seg_bdd100k: mmseg's
# upernet/upernet_r50_4xb2-40k_cityscapes-512x1024.py with the BDD100K semantic segmentation
# dataset base in place of Cityscapes'. The earlier zoo's recipe is that stock one: SGD lr 0.01,
# momentum 0.9, wd 5e-4, poly 0.9 down to 1e-4, SyncBN (plain BN on one process), ImageNet
# ResNet-50-V1c init. The catalogue names it r50-d8, but the row's model is mmseg's
# upernet_r50.py (no dilation), as here; so the name says r50.
_base_ = [
    'mmseg::_base_/models/upernet_r50.py',
    '../_base_/datasets/bdd100k_sem_seg_512x1024.py',
    '../_base_/default_runtime_seg.py',
    '../_base_/schedules/schedule_40k.py',
]

crop_size = (512, 1024)
model = dict(data_preprocessor=dict(size=crop_size))

# lr 0.01 is for 8 GPUs x 2 images (the earlier zoo's batch of 16);
# --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
