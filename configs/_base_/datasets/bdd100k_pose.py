# BDD100K human pose (labels/pose_21, images/100k): what a zoo pose config puts in place of the
# COCO data of mmpose's stock top-down config, whose pipelines (and codec) it keeps. Variables,
# not dataloaders: a stock mmpose config sets every key, and the bases of a config may not share
# one, so the zoo config assigns them (train_dataloader = dict(dataset=_base_.bdd100k_pose_train)).
# Validation runs on the ground-truth person boxes; the earlier zoo's detector boxes (or a zoo
# detector's test.py --format-only output) are one option away (docs/train_test.md):
#   --cfg-options val_dataloader.dataset.bbox_file=data/bdd100k/labels/person_det_for_bdd100k_val.json
bdd100k_pose_root = 'data/bdd100k/'
bdd100k_pose_train = dict(
    type='BDD100KPoseDataset', data_root=bdd100k_pose_root,
    ann_file='labels/pose_21/pose_train.json', data_prefix=dict(img='images/100k/train/'))
# The test split has no labels: a submission run sets the detections of the test images,
#   ann_file='' bbox_file=<detections> data_prefix.img=images/100k/test/
# and tools/test.py --format-only makes the metric write the Scalabel frames.
bdd100k_pose_val = dict(
    type='BDD100KPoseDataset', data_root=bdd100k_pose_root, bbox_file=None,
    ann_file='labels/pose_21/pose_val.json', data_prefix=dict(img='images/100k/val/'))
bdd100k_pose_metric = dict(type='BDD100KPoseMetric',
                           ann_file=bdd100k_pose_root + 'labels/pose_21/pose_val.json')
