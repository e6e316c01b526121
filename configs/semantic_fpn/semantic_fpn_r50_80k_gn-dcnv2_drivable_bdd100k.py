# Semantic FPN R-50, GN + DCNv2 head, 512x1024, 80K, on BDD100K drivable area: published val mIoU
# 83.04.
# semantic_fpn_r50_80k_gn_drivable_bdd100k.py (bdd100k-models
# fpn_r50_gn_dconv_512x1024_80k_drivable_bdd100k): modulated deformable convs (mmcv's DCNv2,
# which has a CPU implementation in mmcv 2.1) in the FPN head, as the row's conv_cfg.
_base_ = './semantic_fpn_r50_80k_gn_drivable_bdd100k.py'

model = dict(decode_head=dict(conv_cfg=dict(type='DCNv2')))
