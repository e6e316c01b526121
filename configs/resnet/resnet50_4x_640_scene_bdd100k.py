# ResNet-50 scene tagging at 640x640: the earlier zoo's resnet50_4x_scene_tag_bdd100k
# (SysCV/bdd100k-models, mmcls 0.x) on mmpretrain's stock ResNet-50 classifier, trained from
# scratch as it was (no initial weights); 4 GPUs x 12 images, 48 epochs.
_base_ = [
    'mmpretrain::_base_/models/resnet50.py', '../_base_/datasets/bdd100k_tagging_scene_640.py',
    '../_base_/schedules/schedule_tagging_4x.py', '../_base_/default_runtime_cls.py'
]

model = dict(head=dict(num_classes=7, topk=(1, )))
auto_scale_lr = dict(base_batch_size=48)  # the lr's batch (4 GPUs x 12): --auto-scale-lr
