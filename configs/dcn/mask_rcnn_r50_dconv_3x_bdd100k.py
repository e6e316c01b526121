# Mask R-CNN R50-FPN DCN 3x, multi-scale training (published val mask AP 20.89, box AP 27.17;
# earlier BDD100K zoo): the DCN model of mask_rcnn_r50_dconv_1x_bdd100k.py (DCN v1, as that
# zoo ran it) on the zoo's Mask R-CNN 3x recipe (36 epochs [24, 33], 1280x600..720).
_base_ = '../mask_rcnn/mask_rcnn_r50_3x_bdd100k.py'

model = dict(
    backbone=dict(
        dcn=dict(type='DCN', deform_groups=1, fallback_on_stride=False),
        stage_with_dcn=(False, True, True, True)),
    train_cfg=dict(rcnn=dict(assigner=dict(match_low_quality=True))))
