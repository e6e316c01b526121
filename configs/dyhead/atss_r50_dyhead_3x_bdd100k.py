# ATSS R50-FPN with DyHead 3x, multi-scale training (published val box AP 34.56; earlier
# BDD100K zoo): the DyHead of atss_r50_dyhead_1x_bdd100k.py on the zoo's ATSS 3x.
_base_ = '../atss/atss_r50_3x_bdd100k.py'

model = dict(
    neck=[
        _base_.model.neck,
        dict(type='DyHead', in_channels=256, out_channels=256, num_blocks=6)
    ],
    bbox_head=dict(stacked_convs=0))
