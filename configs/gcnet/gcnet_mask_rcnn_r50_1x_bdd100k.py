# GCNet: Mask R-CNN R50-FPN with global context blocks (ratio 1/4) after conv3 of stages 2-4,
# 1x (published val mask AP 16.12, box AP 22.41; earlier BDD100K zoo). As mmdet's
# gcnet/mask-rcnn_r50-gcb-r4-c3-c5_fpn_1x_coco.py on the zoo's Mask R-CNN 1x. That zoo's Mask
# R-CNN was stock mmdet, so the R-CNN assigner keeps low-quality matches (the zoo's Mask
# R-CNN R50 drops them, as Vis4D).
_base_ = '../mask_rcnn/mask_rcnn_r50_1x_bdd100k.py'

model = dict(
    backbone=dict(plugins=[
        dict(cfg=dict(type='ContextBlock', ratio=1. / 4),
             stages=(False, True, True, True), position='after_conv3')
    ]),
    train_cfg=dict(rcnn=dict(assigner=dict(match_low_quality=True))))
