# Cascade Mask R-CNN R50-FPN 1x on BDD100K instance segmentation (published val mask AP
# 18.63, box AP 25.97; earlier BDD100K zoo, mmdet 2.x). mmdet's
# cascade-mask-rcnn_r50_fpn_1x_coco.py is these four bases with the COCO dataset swapped for
# BDD100K; the earlier zoo's recipe is stock mmdet: SGD lr 0.02 for 8 GPUs x 2 images,
# 500-iter warmup from 0.001, 12 epochs [8, 11], torchvision ResNet-50, 1280x720.
_base_ = [
    'mmdet::_base_/models/cascade-mask-rcnn_r50_fpn.py',
    '../_base_/datasets/bdd100k_ins_seg.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py',
    '../_base_/models/resnet50_torchvision.py',
]

model = dict(
    backbone=dict(init_cfg=_base_.resnet50_torchvision),  # mmdet's torchvision://, by file
    roi_head=dict(
        bbox_head=[dict(head, num_classes=8) for head in _base_.model.roi_head.bbox_head],
        mask_head=dict(num_classes=8)))

# lr 0.02 is for 8 GPUs x 2 images; --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
