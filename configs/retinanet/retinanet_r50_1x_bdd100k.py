# RetinaNet R50-FPN 1x on BDD100K detection (published val box AP 28.58; earlier BDD100K zoo,
# mmdet 2.x). mmdet's retinanet/retinanet_r50_fpn_1x_coco.py with the BDD100K dataset and
# that zoo's recipe: SGD lr 0.02 for 8 GPUs x 4 images, 12 epochs [8, 11], 1280x720.
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    '../_base_/datasets/bdd100k_det.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py',
    '../_base_/models/resnet50_torchvision.py',
]

model = dict(
    backbone=dict(init_cfg=_base_.resnet50_torchvision),  # not mmdet's torchvision://
    bbox_head=dict(num_classes=10))
train_dataloader = dict(batch_size=4)
optim_wrapper = dict(optimizer=dict(lr=0.02))
# lr is for 8 GPUs x 4 images; --auto-scale-lr rescales it to the real batch.
auto_scale_lr = dict(base_batch_size=32)
