# Semantic FPN R-50, GN head, 512x1024, 80K, on BDD100K drivable area: published val mIoU 82.59.
# semantic_fpn_r50_80k_drivable_bdd100k.py (bdd100k-models
# fpn_r50_gn_512x1024_80k_drivable_bdd100k): GroupNorm (32 groups) in place of SyncBN in the FPN
# head's convs, as the row.
_base_ = './semantic_fpn_r50_80k_drivable_bdd100k.py'

model = dict(decode_head=dict(norm_cfg=dict(type='GN', num_groups=32, requires_grad=True)))
