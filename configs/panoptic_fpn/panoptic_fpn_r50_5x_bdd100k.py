# Panoptic FPN R50-FPN 5x, multi-scale training (published val PQ 23.38,
# earlier BDD100K zoo): the 3x recipe on the earlier zoo's 60-epoch schedule
# ([40, 55]; mmdet 3.x has no 5x panoptic config).
_base_ = './panoptic_fpn_r50_3x_bdd100k.py'

max_epochs = 60
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[40, 55], gamma=0.1)
]
