# Panoptic FPN R50-FPN 1x on BDD100K panoptic segmentation (published val PQ
# 21.52, earlier BDD100K zoo on mmdet 2.x: bdd100k-models pan_seg/).
# mmdet's panoptic-fpn_r50_fpn_1x_coco.py is these four bases plus the model
# lines below (listing the bases, not the coco config, avoids mmengine's
# duplicate-key error between two dataset bases). The earlier zoo's recipe is
# stock mmdet: SGD lr 0.02 for 8 GPUs x 2 images, 500-iter warmup from 0.001,
# 12 epochs [8, 11], GN semantic head with loss weight 0.5, test score 0.6,
# class-agnostic NMS 0.5, mask overlap 0.5, stuff area 4096. Differences from
# stock: the class counts and the 1280x720 scale (stock 1333x800).
_base_ = [
    'mmdet::_base_/models/mask-rcnn_r50_fpn.py',
    '../_base_/datasets/bdd100k_pan_seg.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py',
    '../_base_/models/resnet50_torchvision.py',
]

num_things_classes = 10
num_stuff_classes = 30
# As panoptic-fpn_r50_fpn_1x_coco.py, with BDD100K's class counts.
model = dict(
    type='PanopticFPN',
    backbone=dict(init_cfg=_base_.resnet50_torchvision),  # mmdet's torchvision://, by file
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32,
        pad_mask=True,
        mask_pad_value=0,
        pad_seg=True,
        seg_pad_value=255),
    roi_head=dict(
        bbox_head=dict(num_classes=num_things_classes),
        mask_head=dict(num_classes=num_things_classes)),
    semantic_head=dict(
        type='PanopticFPNHead',
        num_things_classes=num_things_classes,
        num_stuff_classes=num_stuff_classes,
        in_channels=256,
        inner_channels=128,
        start_level=0,
        end_level=4,
        norm_cfg=dict(type='GN', num_groups=32, requires_grad=True),
        conv_cfg=None,
        loss_seg=dict(type='CrossEntropyLoss', ignore_index=255, loss_weight=0.5)),
    panoptic_fusion_head=dict(
        type='HeuristicFusionHead',
        num_things_classes=num_things_classes,
        num_stuff_classes=num_stuff_classes),
    test_cfg=dict(
        rcnn=dict(
            score_thr=0.6,
            nms=dict(type='nms', iou_threshold=0.5, class_agnostic=True),
            max_per_img=100,
            mask_thr_binary=0.5),
        panoptic=dict(mask_overlap=0.5, stuff_area_limit=4096)))

# lr 0.02 is for 8 GPUs x 2 images; --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=16)
