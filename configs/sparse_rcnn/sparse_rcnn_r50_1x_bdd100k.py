# Sparse R-CNN R50-FPN (100 proposals) 1x on BDD100K detection (published val box AP 26.71;
# earlier BDD100K zoo, mmdet 2.x). mmdet's sparse_rcnn/sparse-rcnn_r50_fpn_1x_coco.py with the
# BDD100K dataset and that zoo's recipe: AdamW lr 2.5e-5, weight decay 1e-4, gradient clipping
# at 1, for 8 GPUs x 4 images, 12 epochs [8, 11], 1280x720.
_base_ = [
    '../_base_/models/sparse-rcnn_r50_fpn.py',
    '../_base_/datasets/bdd100k_det.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py',
    '../_base_/models/resnet50_torchvision.py',
]

model = dict(
    backbone=dict(init_cfg=_base_.resnet50_torchvision),  # not mmdet's torchvision://
    roi_head=dict(
        bbox_head=[dict(head, num_classes=10) for head in _base_.model.roi_head.bbox_head]))
train_dataloader = dict(batch_size=4)
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=0.000025, weight_decay=0.0001),
    clip_grad=dict(max_norm=1, norm_type=2))
# lr is for 8 GPUs x 4 images; --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=32)
