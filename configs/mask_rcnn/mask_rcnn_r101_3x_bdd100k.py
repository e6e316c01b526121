# Mask R-CNN R101-FPN 3x, multi-scale training (published val mask AP 20.51, box AP 26.08;
# earlier BDD100K zoo, mmdet 2.x). Its R50 3x recipe is the Vis4D one (SGD lr 0.02 for 2x8
# images, 36 epochs [24, 33], 1280x600..720) but for the R-CNN assigner, which keeps stock
# mmdet's low-quality matches as that zoo did.
_base_ = ['./mask_rcnn_r50_3x_bdd100k.py', '../_base_/models/resnet101_torchvision.py']

model = dict(
    backbone=dict(depth=101, init_cfg=_base_.resnet101_torchvision),
    train_cfg=dict(rcnn=dict(assigner=dict(match_low_quality=True))))
