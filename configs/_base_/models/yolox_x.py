# mmdet's YOLOX-x detector (yolox_x_8xb8-300e_coco.py) as one variable, `yolox_x`,
# without its COCO data, schedule and runtime, so that a config can inherit it
# next to another base: the QDTrack-YOLOX-x zoo entry puts it in `model.detector`.
_base_ = 'mmdet::yolox/yolox_x_8xb8-300e_coco.py'

yolox_x = _base_.model
yolox_x.pop('data_preprocessor')  # QDTrack's TrackDataPreprocessor takes its place

del _base_.model
del _base_.train_cfg
del _base_.val_cfg
del _base_.test_cfg
del _base_.param_scheduler
del _base_.optim_wrapper
del _base_.auto_scale_lr
del _base_.default_scope
del _base_.default_hooks
del _base_.env_cfg
del _base_.vis_backends
del _base_.visualizer
del _base_.log_processor
del _base_.log_level
del _base_.load_from
del _base_.resume
del _base_.tta_model
del _base_.img_scales
del _base_.tta_pipeline
del _base_.img_scale
del _base_.data_root
del _base_.dataset_type
del _base_.backend_args
del _base_.train_pipeline
del _base_.train_dataset
del _base_.test_pipeline
del _base_.train_dataloader
del _base_.val_dataloader
del _base_.test_dataloader
del _base_.val_evaluator
del _base_.test_evaluator
del _base_.max_epochs
del _base_.num_last_epochs
del _base_.interval
del _base_.base_lr
del _base_.custom_hooks
