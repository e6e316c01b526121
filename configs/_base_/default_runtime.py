# A zoo run on mmdet's runtime (detection, instance and panoptic segmentation), with what
# zoo_runtime.py adds and:
# - the metrics line without per-class scores (they are in Scalabel's tables and scores.json);
# - BDD100KCheckpointHook: mmengine's, writing each checkpoint completely (temporary name,
#   renamed) before it removes outdated ones (mmengine's removes first: max_keep_ckpts=1 and
#   a kill during the save left nothing to resume from);
# - a visualizer that paints on every process (--show-dir under dist_test.sh), and a hook that
#   paints frames of one name in two videos apart (<show-dir>/<video>/<name>).
_base_ = ['mmdet::_base_/default_runtime.py', './zoo_runtime.py']

log_processor = dict(type='BDD100KLogProcessor')
default_hooks = dict(checkpoint=dict(type='mmengine.BDD100KCheckpointHook'),
                     visualization=dict(type='BDD100KDetVisualizationHook'))
visualizer = dict(type='BDD100KDetVisualizer')
