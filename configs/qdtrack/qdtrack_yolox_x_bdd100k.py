# QDTrack with YOLOX-x, 25 epochs on BDD100K box tracking + det_20 images
# (published val mMOTA 42.3, mIDF1 55.1, ID switches 9164; Vis4D's qdtrack_yolox_x_25e_bdd100k).
# The Faster R-CNN entry with mmdet's YOLOX-x (yolox_x_8xb8-300e_coco.py) as the detector,
# initialised from its COCO weights, and Vis4D's YOLOX recipe: 800x1440 BGR frames
# without normalisation (pad 114), mosaic / affine / mixup on key and reference frames alike,
# SGD 0.001 nesterov, fp16, EMA, 25 of 50 cosine epochs.
_base_ = ['./qdtrack_frcnn_r50_fpn_1x_bdd100k.py', '../_base_/models/yolox_x.py']

detector = _base_.yolox_x
detector._delete_ = True  # replaces Faster R-CNN
detector.bbox_head.num_classes = 8
detector.test_cfg = dict(score_thr=0.1, nms=dict(type='nms', iou_threshold=0.65))
detector.init_cfg = dict(
    type='Pretrained',
    checkpoint='https://download.openmmlab.com/mmdetection/v2.0/yolox/'
    'yolox_x_8x8_300e_coco/yolox_x_8x8_300e_coco_20211126_140254-1ef88d67.pth')

model = dict(
    type='OneStageQDTrack',  # mmdet's QDTrack only takes two-stage detectors
    data_preprocessor=dict(
        _delete_=True, type='TrackDataPreprocessor', pad_size_divisor=32, pad_value=114),
    detector=detector,
    # training proposals: the detector's boxes, score >= 0, top 2000, NMS 0.7, at most 1000
    proposal_cfg=dict(
        score_thr=0., nms_pre=2000, nms=dict(type='nms', iou_threshold=0.7), max_per_img=1000),
    track_head=dict(
        roi_extractor=dict(out_channels=320, featmap_strides=[8, 16, 32]),  # YOLOXPAFPN
        embed_head=dict(in_channels=320)),
    tracker=dict(init_score_thr=0.5, obj_score_thr=0.35))

image_scale = (1440, 800)  # (w, h)
# the video dataset loads a key frame and one reference frame within +-3 frames
train_videos = _base_.train_dataloader.dataset
train_videos.pipeline = [
    dict(type='UniformRefFrameSample', num_ref_imgs=1, frame_range=3, filter_key_img=True),
    dict(
        type='TransformBroadcaster',
        share_random_params=True,
        transforms=[
            dict(type='LoadImageFromFile', backend_args=_base_.backend_args),
            dict(type='LoadTrackAnnotations'),
        ]),
]
# Vis4D's strong augmentation, key and reference frames built alike (same partners, same
# random parameters, track ids kept): Mosaic -> RandomAffine -> MixUp, then boxes under 1 px²
# dropped; then, as Vis4D's per-view batch transforms, each frame its own HSV, flip,
# 0.5-1.5x resize and 800x1440 crop, which may leave no box (Vis4D never refuses a crop)
train_pipeline = [
    dict(type='TrackMosaic', img_scale=image_scale, pad_val=114.0),
    dict(type='TrackRandomAffine', scaling_ratio_range=(0.5, 1.5),
         border=(-image_scale[0] // 2, -image_scale[1] // 2)),
    # Vis4D's MixUp does not flip the partner (mmdet's flip_ratio=0.5). mmdet's leaves a pair
    # unmixed when a partner frame has no box, where Vis4D mixes the images anyway: kept, as
    # training frames hold boxes (filter_empty_gt) and only a partner's reference frame can be
    # empty, which is rare in BDD100K videos
    dict(type='TrackMixUp', img_scale=image_scale, ratio_range=(0.8, 1.6), flip_ratio=0.,
         pad_val=114.0),
    dict(
        type='TransformBroadcaster',
        share_random_params=False,
        transforms=[
            dict(type='FilterSmallTrackBoxes', min_area=1),
            dict(type='YOLOXHSVRandomAug'),
            dict(type='RandomFlip', prob=0.5),
            dict(type='RandomResize', scale=image_scale, ratio_range=(0.5, 1.5),
                 keep_ratio=True),
            dict(type='RandomCrop', crop_size=image_scale, bbox_clip_border=True,
                 allow_negative_crop=True),
            # the pair is packed as one tensor: pad both frames to 800x1440 (Vis4D pads
            # each view's batch with 114, to the same size but for rare all-small batches)
            dict(type='Pad', size=image_scale, pad_val=dict(img=(114, 114, 114))),
        ]),
    dict(type='PackTrackInputs')
]
test_pipeline = [
    dict(
        type='TransformBroadcaster',
        transforms=[
            dict(type='LoadImageFromFile', backend_args=_base_.backend_args),
            dict(type='Resize', scale=image_scale, keep_ratio=True),
            dict(type='LoadTrackAnnotations'),
        ]),
    dict(type='PackTrackInputs', meta_keys=('frame_index', ))
]
train_dataloader = dict(
    batch_size=8,
    num_workers=8,
    sampler=dict(type='DefaultSampler', shuffle=True),  # every frame once per epoch
    dataset=dict(
        _delete_=True, type='VideoMixDataset', dataset=train_videos, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# SGD 0.001 for 64 images (8 GPUs x 8), nesterov, wd 5e-4 but none on the detector's norms and
# biases (a custom key exempts the track head from those rules, as in Vis4D); fp16
optim_wrapper = dict(
    _delete_=True,
    type='AmpOptimWrapper',
    loss_scale='dynamic',
    optimizer=dict(type='SGD', lr=0.001, momentum=0.9, weight_decay=5e-4, nesterov=True),
    paramwise_cfg=dict(
        norm_decay_mult=0., bias_decay_mult=0., custom_keys={'track_head': dict(decay_mult=1.)}))
auto_scale_lr = dict(base_batch_size=64)

# 25 epochs of a 50-epoch schedule: quadratic warm-up for 1 epoch, cosine to 5% of the lr
# until epoch 40, then constant (never reached)
max_epochs = 25
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
param_scheduler = [
    dict(type='mmdet.QuadraticWarmupLR', by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=0.001 * 0.05, begin=1, T_max=39, end=40,
         by_epoch=True, convert_to_iter_based=True),
    dict(type='ConstantLR', by_epoch=True, factor=1, begin=40, end=50),
]
default_hooks = dict(checkpoint=dict(interval=5))
custom_hooks = [
    dict(type='SyncNormHook', priority=48),
    # EMA decay 0.9998 with a 2000-step warm-up (YOLOX's exponential EMA)
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0002, gamma=2000,
         update_buffers=True, priority=49),
    dict(type='mmengine.RandomStateHook'),  # the zoo's (default_runtime.py)
]
