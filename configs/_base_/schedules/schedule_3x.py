# mmdet's 1x schedule stretched to 36 epochs, steps at [24, 33]: the 3x of mmdet's
# model zoo, of Vis4D's BDD100K zoo and of the earlier BDD100K zoo.
_base_ = 'mmdet::_base_/schedules/schedule_1x.py'

max_epochs = 36
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[24, 33], gamma=0.1)
]
