# Semantic FPN R50 (ResNet-50-V1c), 40K iterations, 512x1024 crops, on BDD100K
# drivable area (published val mIoU 77.29, earlier BDD100K zoo on mmseg 0.x:
# bdd100k-models drivable/configs/drivable/fpn_r50_512x1024_40k_drivable_bdd100k.py).
# mmseg's sem_fpn/fpn_r50_4xb2-80k_cityscapes-512x1024.py is these four bases
# plus the crop size (its dataset base swapped for BDD100K drivable, its 80k
# schedule for the earlier zoo's 40k). The earlier zoo's recipe is stock mmseg:
# SyncBN (plain BN on one process), FPNHead 128 channels, dropout 0.1, SGD lr
# 0.01 for 8 GPUs x 2 images, momentum 0.9, wd 5e-4, poly 0.9 down to 1e-4, no
# warmup; only the classes (3) and the image scale (1280x720) differ.
_base_ = [
    'mmseg::_base_/models/fpn_r50.py',
    '../_base_/datasets/bdd100k_drivable.py',
    '../_base_/default_runtime_seg.py',
    '../_base_/schedules/schedule_40k.py',
]

crop_size = (512, 1024)
model = dict(data_preprocessor=dict(size=crop_size), decode_head=dict(num_classes=3))

# lr 0.01 is for 8 GPUs x 2 images (the BDD100K zoo's batch of 16);
# --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
