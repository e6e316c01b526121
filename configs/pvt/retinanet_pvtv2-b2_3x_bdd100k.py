# RetinaNet PVTv2-B2 3x with multi-scale training (published val box AP 32.98).
# The earlier zoo's config inherits a file that does not exist
# (./retinanet_pvtv2-b0_fpn_3x_bdd100k.py); this one inherits the PVTv2-B0 3x it meant.
_base_ = './retinanet_pvtv2-b0_3x_bdd100k.py'

model = dict(
    backbone=dict(
        embed_dims=64,
        num_layers=[3, 4, 6, 3],
        init_cfg=dict(
            checkpoint='https://github.com/whai362/PVT/releases/download/v2/pvt_v2_b2.pth')),
    neck=dict(in_channels=[64, 128, 320, 512]))
