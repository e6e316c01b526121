# Mask R-CNN R50-FPN with deformable convolutions in stages 2-4, 1x (published val mask AP
# 17.72, box AP 23.37; earlier BDD100K zoo, "Deformable ConvNets v2"). As mmdet's
# dcn/mask-rcnn_r50-dconv-c3-c5_fpn_1x_coco.py on the zoo's Mask R-CNN 1x. That zoo named the
# row DCNv2 but built `DCN` (v1, no modulation): this config builds what it ran. Its Mask
# R-CNN was stock mmdet, so the R-CNN assigner keeps low-quality matches (the zoo's Mask
# R-CNN R50 drops them, as Vis4D).
_base_ = '../mask_rcnn/mask_rcnn_r50_1x_bdd100k.py'

model = dict(
    backbone=dict(
        dcn=dict(type='DCN', deform_groups=1, fallback_on_stride=False),
        stage_with_dcn=(False, True, True, True)),
    train_cfg=dict(rcnn=dict(assigner=dict(match_low_quality=True))))
