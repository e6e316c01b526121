# Faster R-CNN Swin-S 3x, mixed precision, "strong" augmentation (published val box AP 35.06).
# The mixing and its switch-off as in faster_rcnn_swin-t_3x_strong_bdd100k.py.
_base_ = ['./faster_rcnn_swin-s_3x_fp16_bdd100k.py', '../_base_/datasets/bdd100k_det_strong.py']

train_dataloader = dict(dataset=dict(
    _delete_=True, type='MultiImageMixDataset', pipeline=_base_.strong_pipeline,
    dataset=dict(_base_.train_dataloader.dataset, pipeline=_base_.strong_load_pipeline)))
custom_hooks = _base_.custom_hooks + [
    dict(type='PipelineSwitchHook', switch_epoch=_base_.max_epochs - 9,
         switch_pipeline=_base_.strong_off_pipeline)
]
