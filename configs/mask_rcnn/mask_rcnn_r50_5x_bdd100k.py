# Mask R-CNN R50-FPN 5x, multi-scale training (published val mask AP 20.2, box AP 25.7):
# the 3x recipe on a 60-epoch schedule.
_base_ = './mask_rcnn_r50_3x_bdd100k.py'

max_epochs = 60
train_cfg = dict(max_epochs=max_epochs, val_interval=5)  # Vis4D: validate every 5 epochs
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[40, 55], gamma=0.1)
]
