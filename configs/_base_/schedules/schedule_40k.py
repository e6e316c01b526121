# mmseg's 40K-iteration schedule with the zoo's checkpoint hook (each checkpoint written
# whole before an old one goes). mmseg's schedules hold the hooks and mmengine forbids two
# bases to set one key, so the hook is set here rather than in default_runtime_seg.py.
_base_ = 'mmseg::_base_/schedules/schedule_40k.py'

default_hooks = dict(checkpoint=dict(type='mmengine.BDD100KCheckpointHook'))
