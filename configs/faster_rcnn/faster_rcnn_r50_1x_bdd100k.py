# Faster R-CNN R50-FPN 1x on BDD100K detection (published val box AP 31.2).
# mmdet's faster-rcnn_r50_fpn_1x_coco.py is exactly these four bases; the COCO
# dataset is swapped for BDD100K. Its schedule already is the Vis4D recipe:
# SGD lr 0.02 for 16 images, 500-iter linear warmup from 0.001, 12 epochs [8, 11].
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py',
    '../_base_/datasets/bdd100k_det.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py',
    '../_base_/models/resnet50_torchvision.py',
]

model = dict(
    backbone=dict(init_cfg=_base_.resnet50_torchvision),  # not mmdet's torchvision://
    roi_head=dict(bbox_head=dict(num_classes=10)))

# lr 0.02 is for 8 GPUs x 2 images; --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
