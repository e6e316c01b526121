# Faster R-CNN R50-FPN DCN 3x, multi-scale training (published val box AP 33.21; earlier
# BDD100K zoo): the DCN (v1, as that zoo ran it) of faster_rcnn_r50_dconv_1x_bdd100k.py on the
# zoo's Faster R-CNN 3x (36 epochs [24, 33], 1280x600..720) at SGD lr 0.04 for 8 GPUs x 4.
_base_ = '../faster_rcnn/faster_rcnn_r50_3x_bdd100k.py'

model = dict(
    backbone=dict(
        dcn=dict(type='DCN', deform_groups=1, fallback_on_stride=False),
        stage_with_dcn=(False, True, True, True)))
train_dataloader = dict(batch_size=4)
optim_wrapper = dict(optimizer=dict(lr=0.04))
auto_scale_lr = dict(base_batch_size=32)
