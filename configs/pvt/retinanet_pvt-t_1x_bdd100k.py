# RetinaNet PVT-T 1x on BDD100K detection (published val box AP 28.45).
# mmdet's stock retinanet_pvt-t_fpn_1x_coco.py (its model base, backbone and AdamW) with
# the BDD100K dataset; the PVT file's layout is converted on load.
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    '../_base_/datasets/bdd100k_det.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(
        _delete_=True,
        type='PyramidVisionTransformer',
        num_layers=[2, 2, 2, 2],
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/whai362/PVT/releases/download/v2/pvt_tiny.pth')),
    neck=dict(in_channels=[64, 128, 320, 512]),
    bbox_head=dict(num_classes=10))

train_dataloader = dict(batch_size=2)
optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=0.0001, weight_decay=0.0001))
# 8 GPUs x 2 images; --auto-scale-lr rescales lr to the real batch
auto_scale_lr = dict(base_batch_size=16)
