# What every zoo run adds to the stock runtime, shared by default_runtime.py (mmdet's
# runtime) and default_runtime_seg.py (mmseg's); only keys the stock runtimes lack, which
# mmengine lets two bases hold:
# - BDD100KRunner: mmengine's Runner that adapts a run to a CPU-only machine (gloo, fp32
#   for AMP, BN for SyncBN across processes), keeps the config dump, environment and hook
#   order off the console (they stay in the log file), lets --resume fall back to the
#   newest checkpoint, refuses a second training run in a work dir, and loads weights for
#   evaluation strictly;
# - RandomStateHook: the random generators in each checkpoint, so a resumed run ends where an
#   uninterrupted one does.
custom_imports = dict(imports=['bdd100k_zoo'], allow_failed_imports=False)
runner_type = 'BDD100KRunner'
custom_hooks = [dict(type='mmengine.RandomStateHook')]
