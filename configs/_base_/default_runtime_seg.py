# default_runtime.py on mmseg's runtime, for semantic segmentation and drivable area. mmseg's
# schedules hold the hooks (mmengine forbids two bases to set one key), so the zoo's checkpoint
# hook comes with the zoo's schedules (../_base_/schedules/) or, where a config takes mmseg's,
# from the config itself.
_base_ = ['mmseg::_base_/default_runtime.py', './zoo_runtime.py']

log_processor = dict(type='BDD100KLogProcessor')
visualizer = dict(type='BDD100KSegVisualizer')
