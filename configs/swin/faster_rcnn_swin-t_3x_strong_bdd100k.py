# Faster R-CNN Swin-T 3x with the "strong" augmentation (published val box AP 34.43).
# The earlier zoo's config used a ModeSwitchHook(num_last_epochs=9, single_scale=True) that
# neither it nor mmdet 2.x defines; what it intended, mixing off and a single scale for
# the last 9 epochs, is mmdet 3.x's PipelineSwitchHook.
_base_ = ['./faster_rcnn_swin-t_3x_bdd100k.py', '../_base_/datasets/bdd100k_det_strong.py']

train_dataloader = dict(dataset=dict(
    _delete_=True, type='MultiImageMixDataset', pipeline=_base_.strong_pipeline,
    dataset=dict(_base_.train_dataloader.dataset, pipeline=_base_.strong_load_pipeline)))
custom_hooks = _base_.custom_hooks + [
    dict(type='PipelineSwitchHook', switch_epoch=_base_.max_epochs - 9,
         switch_pipeline=_base_.strong_off_pipeline)
]
