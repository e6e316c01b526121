# The zoo's pose runtime and the earlier zoo's pose schedule, as variables a zoo pose config
# assigns (its stock mmpose base sets these keys already; see datasets/bdd100k_pose.py):
# zoo_runtime.py's runner, imports and RandomStateHook beside mmpose's SyncBuffersHook; the
# zoo's log processor and checkpoint hook (each checkpoint whole before an old one goes, the
# best by the official AP); mmpose's PoseLocalVisualizer takes the BDD100K skeleton from the
# dataset's metainfo. Schedule (SysCV/bdd100k-models pose/configs/_base_/schedules/
# schedule_1x.py): Adam lr 5e-4 for 4 GPUs x 64, 500-iteration linear warmup, 105 epochs with
# the lr divided by 10 at 85 and 100.
pose_custom_imports = dict(imports=['bdd100k_zoo'], allow_failed_imports=False)
pose_custom_hooks = [dict(type='SyncBuffersHook'), dict(type='mmengine.RandomStateHook')]
pose_default_hooks = dict(checkpoint=dict(type='mmengine.BDD100KCheckpointHook',
                                          save_best='bdd100k/AP', rule='greater'))
pose_log_processor = dict(type='BDD100KLogProcessor')
pose_train_cfg = dict(max_epochs=105, val_interval=10)
pose_param_scheduler = [
    dict(type='LinearLR', begin=0, end=500, start_factor=0.001, by_epoch=False),  # warmup
    dict(type='MultiStepLR', begin=0, end=105, milestones=[85, 100], gamma=0.1, by_epoch=True)
]
pose_auto_scale_lr = dict(base_batch_size=256)  # the lr's batch: --auto-scale-lr rescales it
