# Faster R-CNN R50-FPN with deformable convolutions in stages 2-4, 1x (published val box AP
# 32.09; earlier BDD100K zoo, "Deformable ConvNets v2"). As mmdet's
# dcn/faster-rcnn_r50-dconv-c3-c5_fpn_1x_coco.py on the zoo's Faster R-CNN 1x. That zoo named
# the row DCNv2 but built `DCN` (v1, no modulation): this config builds what it ran. Its
# recipe: SGD lr 0.04 for 8 GPUs x 4 images (the zoo's R50 1x is Vis4D's 0.02 for 8 x 2).
_base_ = '../faster_rcnn/faster_rcnn_r50_1x_bdd100k.py'

model = dict(
    backbone=dict(
        dcn=dict(type='DCN', deform_groups=1, fallback_on_stride=False),
        stage_with_dcn=(False, True, True, True)))
train_dataloader = dict(batch_size=4)
optim_wrapper = dict(optimizer=dict(lr=0.04))
auto_scale_lr = dict(base_batch_size=32)
