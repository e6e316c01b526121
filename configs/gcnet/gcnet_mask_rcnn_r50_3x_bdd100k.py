# GCNet Mask R-CNN R50-FPN 3x, multi-scale training (published val mask AP 20.07, box AP
# 26.34; earlier BDD100K zoo): the context blocks of gcnet_mask_rcnn_r50_1x_bdd100k.py on the
# zoo's Mask R-CNN 3x recipe (36 epochs [24, 33], 1280x600..720).
_base_ = '../mask_rcnn/mask_rcnn_r50_3x_bdd100k.py'

model = dict(
    backbone=dict(plugins=[
        dict(cfg=dict(type='ContextBlock', ratio=1. / 4),
             stages=(False, True, True, True), position='after_conv3')
    ]),
    train_cfg=dict(rcnn=dict(assigner=dict(match_low_quality=True))))
