# QDTrack-MOTS: QDTrack with a Mask R-CNN R50-FPN detector, 12 epochs on BDD100K MOTS
# (seg_track_20) + the 10K instance-segmentation images, as PCAN's segtrack-frcnn_r50_fpn_12e
# recipe (SysCV/pcan) without its prototypical cross-attention: the box-tracking QDTrack
# config plus mmdet's Mask R-CNN mask branch (8 classes); the tracker carries the masks along.
# PCAN fine-tunes the box-tracking QDTrack checkpoint (its load_from); pass one with
# --cfg-options load_from=... (without: ImageNet R50, as the box-tracking config).
_base_ = './qdtrack_frcnn_r50_fpn_1x_bdd100k.py'

model = dict(
    detector=dict(
        type='MaskRCNN',
        roi_head=dict(
            mask_roi_extractor=dict(  # mmdet's _base_/models/mask-rcnn_r50_fpn.py
                type='SingleRoIExtractor',
                roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
                out_channels=256,
                featmap_strides=[4, 8, 16, 32]),
            mask_head=dict(
                type='FCNMaskHead', num_convs=4, in_channels=256, conv_out_channels=256,
                num_classes=8, loss_mask=dict(type='CrossEntropyLoss', use_mask=True,
                                              loss_weight=1.0))),
        train_cfg=dict(rcnn=dict(mask_size=28)),
        test_cfg=dict(rcnn=dict(mask_thr_binary=0.5))),
    tracker=dict(type='QuasiDenseMaskTracker'))

# The MOTS release: videos under images/seg_track_20/<split>/<video>/, per-video Scalabel
# JSONs with masks under labels/seg_track_20/rles/<split>/ (polygons/ reads the same way).
# The box-tracking data config otherwise (bdd100k_box_track.py), masks loaded in training.
dataset_type = 'BDD100KSegTrackDataset'
train_pipeline = [
    dict(type='UniformRefFrameSample', num_ref_imgs=1, frame_range=3, filter_key_img=True),
    dict(
        type='TransformBroadcaster',
        share_random_params=True,
        transforms=[
            dict(type='LoadImageFromFile', backend_args=_base_.backend_args),
            dict(type='LoadTrackAnnotations', with_mask=True),
            dict(type='Resize', scale=_base_.image_scale, keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='FilterSmallTrackBoxes', min_area=49),
        ]),
    dict(type='PackTrackInputs')
]
train_dataloader = dict(
    batch_size=2,  # PCAN: 2 images a GPU
    dataset=dict(
        type=dataset_type,
        ann_file='labels/seg_track_20/rles/train/',
        data_prefix=dict(img='images/seg_track_20/train/'),
        # as PCAN: the 10K instance-segmentation images join as one-frame videos
        image_sources=[dict(ann_file='labels/ins_seg/rles/ins_seg_train.json',
                            img='images/10k/train/')],
        drop_categories=(),
        pipeline=train_pipeline))
# The test split: ann_file='' data_prefix.img='images/seg_track_20/test/', format_only=True.
val_dataloader = dict(
    dataset=dict(type=dataset_type, ann_file='labels/seg_track_20/rles/val/',
                 data_prefix=dict(img='images/seg_track_20/val/')))
test_dataloader = val_dataloader
val_evaluator = dict(type='BDD100KSegTrackMetric',
                     ann_file=_base_.data_root + 'labels/seg_track_20/rles/val/')
test_evaluator = val_evaluator

# PCAN: SGD lr 0.01 for 8 images (4 GPUs x 2); the base's warm-up (1000 iterations) and 12
# epochs with steps at 8 and 11
optim_wrapper = dict(optimizer=dict(lr=0.01))
auto_scale_lr = dict(base_batch_size=8)
