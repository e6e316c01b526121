# The earlier zoo's tagging 5x schedule: mmpretrain's ImageNet SGD (lr 0.1, momentum 0.9,
# weight decay 1e-4) for 60 epochs, the lr divided by 10 at epochs 30 and 45.
_base_ = 'mmpretrain::_base_/schedules/imagenet_bs256.py'

param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[30, 45], gamma=0.1)]
train_cfg = dict(max_epochs=60)
