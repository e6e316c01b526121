# default_runtime.py on mmpretrain's runtime, for image tagging: what zoo_runtime.py adds, the
# zoo's log processor (summary metrics on the console, per-value scores in scores.json) and
# checkpoint hook (each checkpoint written whole before an old one goes).
_base_ = ['mmpretrain::_base_/default_runtime.py', './zoo_runtime.py']

log_processor = dict(type='BDD100KLogProcessor')
default_hooks = dict(checkpoint=dict(type='mmengine.BDD100KCheckpointHook'))
visualizer = dict(type='BDD100KTagVisualizer', name='visualizer')
