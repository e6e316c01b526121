# SimpleBaseline MobileNetV2 at 256x192 on BDD100K's 18 joints: the earlier zoo's
# mobilenetv2_256x192_1x_pose_bdd100k (SysCV/bdd100k-models, mmpose 0.x) on mmpose's stock COCO
# recipe, whose model, codec (MSRA heatmaps, sigma 2) and pipelines it keeps, from mmcls's
# ImageNet MobileNetV2 (mmcls://mobilenet_v2); BDD100K data, runtime and 1x schedule from the bases.
_base_ = [
    'mmpose::body_2d_keypoint/topdown_heatmap/coco/td-hm_mobilenetv2_8xb64-210e_coco-256x192.py',
    '../_base_/datasets/bdd100k_pose.py', '../_base_/default_runtime_pose.py'
]

model = dict(head=dict(out_channels=18))
train_dataloader = dict(dataset=_base_.bdd100k_pose_train)  # 64 images per GPU, as stock
val_dataloader = dict(dataset=_base_.bdd100k_pose_val)
test_dataloader = val_dataloader
val_evaluator = _base_.bdd100k_pose_metric
test_evaluator = val_evaluator
data_root = _base_.bdd100k_pose_root  # not the stock config's data/coco/
custom_imports = _base_.pose_custom_imports
runner_type = 'BDD100KRunner'
custom_hooks = _base_.pose_custom_hooks
default_hooks = _base_.pose_default_hooks
log_processor = _base_.pose_log_processor
train_cfg = _base_.pose_train_cfg
param_scheduler = _base_.pose_param_scheduler
auto_scale_lr = _base_.pose_auto_scale_lr
