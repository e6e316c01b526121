# Faster R-CNN R50-FPN 5x, multi-scale training (published val box AP 32.49; earlier BDD100K
# zoo, mmdet 2.x). The zoo's 3x model and scales with that zoo's recipe: SGD lr 0.04 for
# 8 GPUs x 4 images, 60 epochs [48, 55].
_base_ = './faster_rcnn_r50_3x_bdd100k.py'

train_dataloader = dict(batch_size=4)
optim_wrapper = dict(optimizer=dict(lr=0.04))
max_epochs = 60
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[48, 55], gamma=0.1)
]
auto_scale_lr = dict(base_batch_size=32)
