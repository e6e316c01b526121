# BDD100K box tracking (MOT): videos of 1280x720 frames under images/track/<split>/<video>/,
# labels/box_track_20/<split>/<video>.json (Scalabel, 8 classes). The shape of mmdet's
# MOT dataset config (mot_challenge.py): key + reference frame pairs for training,
# frame-by-frame video test with TrackImgSampler (each video stays on one process).
dataset_type = 'BDD100KBoxTrackDataset'
data_root = 'data/bdd100k/'
image_scale = (1280, 720)
backend_args = None

train_pipeline = [
    # Vis4D recipe: one reference frame within +-3 frames of the key frame
    # (a det_20 image is a one-frame video: its reference is itself)
    dict(type='UniformRefFrameSample', num_ref_imgs=1, frame_range=3, filter_key_img=True),
    dict(
        type='TransformBroadcaster',
        share_random_params=True,
        transforms=[
            dict(type='LoadImageFromFile', backend_args=backend_args),
            dict(type='LoadTrackAnnotations'),
            dict(type='Resize', scale=image_scale, keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
            dict(type='FilterSmallTrackBoxes', min_area=49),  # Vis4D: drop boxes under 7x7
        ]),
    dict(type='PackTrackInputs')
]
test_pipeline = [
    dict(
        type='TransformBroadcaster',
        transforms=[
            dict(type='LoadImageFromFile', backend_args=backend_args),
            dict(type='Resize', scale=image_scale, keep_ratio=True),
            dict(type='LoadTrackAnnotations'),
        ]),
    # frame_index: the Scalabel frameIndex the official evaluation matches frames by
    dict(type='PackTrackInputs', meta_keys=('frame_index', ))
]

train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='TrackImgSampler'),  # every frame once per epoch
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='labels/box_track_20/train/',
        data_prefix=dict(img='images/track/train/'),
        # Vis4D recipe: the 100K detection images join as one-frame videos, 8 classes only
        image_sources=[dict(ann_file='labels/det_20/det_train.json', img='images/100k/train/')],
        drop_categories=('traffic light', 'traffic sign'),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
# The test split has no labels: a submission run points the test dataloader at
#   ann_file='' data_prefix.img='images/track/test/'
# and the evaluator at format_only=True (tools/test.py --format-only does that part).
val_dataloader = dict(
    batch_size=1,  # QDTrack tests one frame at a time, in video order
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='TrackImgSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='labels/box_track_20/val/',
        data_prefix=dict(img='images/track/val/'),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(type='BDD100KTrackMetric', ann_file=data_root + 'labels/box_track_20/val/')
test_evaluator = val_evaluator
