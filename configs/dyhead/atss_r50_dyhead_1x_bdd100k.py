# ATSS R50-FPN with DyHead (6 blocks) 1x on BDD100K detection (published val box AP 32.84;
# earlier BDD100K zoo, mmdet 2.x). As mmdet's dyhead/atss_r50_fpn_dyhead_1x_coco.py on the
# zoo's ATSS 1x (SGD lr 0.02 for 8 GPUs x 4 images, 12 epochs [8, 11], 1280x720).
_base_ = '../atss/atss_r50_1x_bdd100k.py'

model = dict(
    neck=[
        _base_.model.neck,
        dict(type='DyHead', in_channels=256, out_channels=256, num_blocks=6)
    ],
    bbox_head=dict(stacked_convs=0))
