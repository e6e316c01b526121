# DMNet R-50-D8, 769x769, 40K, on BDD100K drivable area: published val mIoU 83.07.
# bdd100k-models dmnet_r50-d8_769x769_40k_drivable_bdd100k: mmseg's
# dmnet/dmnet_r50-d8_4xb2-40k_cityscapes-769x769.py with the BDD100K drivable area dataset base
# in place of Cityscapes'. The earlier zoo's recipe is that stock one: SGD lr 0.01, momentum 0.9,
# wd 5e-4, poly 0.9 down to 1e-4, SyncBN (plain BN on one process), ImageNet ResNet-50-V1c init.
_base_ = [
    'mmseg::_base_/models/dmnet_r50-d8.py',
    '../_base_/datasets/bdd100k_drivable_769x769.py',
    '../_base_/default_runtime_seg.py',
    '../_base_/schedules/schedule_40k.py',
]

crop_size = (769, 769)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(align_corners=True, num_classes=3),
    auxiliary_head=dict(align_corners=True, num_classes=3),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(513, 513)),
)

# lr 0.01 is for 8 GPUs x 2 images (the earlier zoo's batch of 16);
# --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
