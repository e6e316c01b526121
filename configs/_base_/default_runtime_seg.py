# default_runtime.py on mmseg's runtime, for semantic segmentation and drivable area. mmseg's
# schedules hold the hooks (mmengine forbids two bases to), so each config names the zoo's
# checkpoint hook: default_hooks = dict(checkpoint=dict(type='mmengine.BDD100KCheckpointHook')).
_base_ = ['mmseg::_base_/default_runtime.py', './zoo_runtime.py']

log_processor = dict(type='BDD100KLogProcessor')
visualizer = dict(type='BDD100KSegVisualizer')
