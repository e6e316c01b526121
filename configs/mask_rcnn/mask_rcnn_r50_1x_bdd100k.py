# Mask R-CNN R50-FPN 1x on BDD100K instance segmentation
# (published val mask AP 17.0, box AP 23.4).
# mmdet's mask-rcnn_r50_fpn_1x_coco.py is exactly these four bases with the
# COCO dataset swapped for BDD100K (listing them, not the coco config, avoids
# mmengine's duplicate-key error between two dataset bases). Its schedule is
# the Vis4D recipe: SGD lr 0.02 for 16 images, 500-iter warmup from 0.001,
# 12 epochs [8, 11]; mask_thr_binary 0.5 as Vis4D. Overlapping mask pixels
# are removed at test by BDD100KInsSegMetric(remove_overlap=True).
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../_base_/datasets/bdd100k_ins_seg.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py',
    '../_base_/models/resnet50_torchvision.py',
]

model = dict(
    backbone=dict(init_cfg=_base_.resnet50_torchvision),  # not mmdet's torchvision://
    roi_head=dict(bbox_head=dict(num_classes=8), mask_head=dict(num_classes=8)),
    # R-CNN targets without low-quality matches, as Vis4D (mmdet's Mask R-CNN base allows them)
    train_cfg=dict(rcnn=dict(assigner=dict(match_low_quality=False))))

# lr 0.02 is for 8 GPUs x 2 images; --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
