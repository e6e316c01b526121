# QDTrack with Faster R-CNN R50-FPN, 12 epochs on BDD100K box tracking + det_20 images
# (published val mMOTA 36.1, mIDF1 51.8, ID switches 6165; Vis4D's
# qdtrack_frcnn_r50_fpn_1x_bdd100k). mmdet's QDTrack recipe for MOT17, changed to the
# BDD100K Vis4D recipe: 8 classes, torchvision ImageNet R50, its tracker thresholds and schedule.
_base_ = [
    'mmdet::qdtrack/qdtrack_faster-rcnn_r50_fpn_4e_base.py',
    '../_base_/datasets/bdd100k_box_track.py',
    '../_base_/models/resnet50_torchvision.py',
]

model = dict(
    type='MultiClassQDTrack',  # mmdet's QDTrack trains the RoI head on class 0 only
    data_preprocessor=dict(
        mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], bgr_to_rgb=True),
    detector=dict(
        # torchvision's ImageNet R50, conv1 + layer1 frozen (trainable_layers=3), BN in eval
        # mode with trainable affine weights as Vis4D's (mmdet's QDTrack base freezes them)
        backbone=dict(
            style='pytorch', frozen_stages=1, norm_cfg=dict(type='BN', requires_grad=True),
            init_cfg=_base_.resnet50_torchvision),
        # proposals, detections and so tracks clipped to the image, as Vis4D (mmdet's MOT17
        # base lets boxes cross the border)
        rpn_head=dict(bbox_coder=dict(clip_border=True)),
        roi_head=dict(
            bbox_head=dict(
                num_classes=8, bbox_coder=dict(clip_border=True),
                loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))),
        init_cfg=None),  # not mmdet's COCO-person detector
    track_head=dict(
        embed_head=dict(loss_track_aux=dict(neg_margin=0.3)),
        train_cfg=dict(
            assigner=dict(neg_iou_thr=0.3),
            sampler=dict(
                neg_sampler=dict(
                    type='IoUBalancedNegSampler', floor_thr=-1, floor_fraction=0,
                    num_bins=3)))),
    tracker=dict(
        init_score_thr=0.7, obj_score_thr=0.3, match_score_thr=0.5,
        memo_tracklet_frames=10, memo_momentum=0.8))

# SGD lr 0.02 for 16 images (4 GPUs x 4), momentum 0.9, wd 1e-4, grad clip 35: as the base.
max_epochs = 12
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=1000),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[8, 11],
         gamma=0.1)
]
auto_scale_lr = dict(base_batch_size=16)

# What a zoo run does (configs/_base_/zoo_runtime.py and default_runtime.py), here on the
# runtime that mmdet's QDTrack base carries; the visualizer also paints the ground truth
# (browse_dataset.py).
custom_imports = dict(imports=['bdd100k_zoo'], allow_failed_imports=False)
runner_type = 'BDD100KRunner'
log_processor = dict(type='BDD100KLogProcessor')
custom_hooks = _base_.custom_hooks + [dict(type='mmengine.RandomStateHook')]  # SyncBuffersHook +
default_hooks = dict(checkpoint=dict(type='mmengine.BDD100KCheckpointHook'),
                     visualization=dict(type='BDD100KTrackVisualizationHook'))  # per video
visualizer = dict(type='BDD100KTrackVisualizer')
