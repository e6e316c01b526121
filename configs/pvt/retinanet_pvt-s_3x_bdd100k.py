# RetinaNet PVT-S 3x with multi-scale training (published val box AP 31.23).
# The earlier zoo's config inherits a file that does not exist
# (./retinanet_pvt-t_fpn_3x_bdd100k.py); this one inherits the PVT-T 3x it meant.
_base_ = './retinanet_pvt-t_3x_bdd100k.py'

model = dict(
    backbone=dict(
        num_layers=[3, 4, 6, 3],
        init_cfg=dict(
            checkpoint='https://github.com/whai362/PVT/releases/download/v2/pvt_small.pth')))
