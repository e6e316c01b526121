# FCOS R101-caffe-FPN (GN head) 3x, multi-scale training (published val box AP 31.13; earlier
# BDD100K zoo): the R50 3x recipe on open-mmlab's caffe ResNet-101, as mmdet's
# fcos/fcos_r101-caffe_fpn_gn-head-1x_coco.py.
_base_ = './fcos_r50_3x_bdd100k.py'

model = dict(
    backbone=dict(
        depth=101,
        init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://detectron/resnet101_caffe')))
