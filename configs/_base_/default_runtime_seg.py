# configs/_base_/default_runtime.py (what a zoo run does) on mmseg's runtime, for semantic
# segmentation and drivable area.
_base_ = 'mmseg::_base_/default_runtime.py'

custom_imports = dict(imports=['bdd100k_zoo'], allow_failed_imports=False)
runner_type = 'BDD100KRunner'
log_processor = dict(type='BDD100KLogProcessor')
custom_hooks = [dict(type='mmengine.RandomStateHook')]
visualizer = dict(type='BDD100KSegVisualizer')
