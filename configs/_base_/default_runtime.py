# What a zoo run does, on top of mmdet's runtime (detection, instance and panoptic
# segmentation; default_runtime_seg.py is the same on mmseg's):
# - BDD100KRunner: mmengine's Runner that adapts a run to a CPU-only machine (gloo, fp32
#   for AMP, BN for SyncBN across processes), keeps the config dump, environment and hook
#   order off the console (they stay in the log file), lets --resume fall back to the
#   newest checkpoint, refuses a second training run in a work dir, and loads weights for
#   evaluation strictly;
# - the metrics line without per-class scores (they are in Scalabel's tables and scores.json);
# - RandomStateHook: the random generators in each checkpoint, so a resumed run ends where an
#   uninterrupted one does;
# - a visualizer that paints on every process (--show-dir under dist_test.sh).
_base_ = 'mmdet::_base_/default_runtime.py'

custom_imports = dict(imports=['bdd100k_zoo'], allow_failed_imports=False)
runner_type = 'BDD100KRunner'
log_processor = dict(type='BDD100KLogProcessor')
custom_hooks = [dict(type='mmengine.RandomStateHook')]
visualizer = dict(type='BDD100KDetVisualizer')
