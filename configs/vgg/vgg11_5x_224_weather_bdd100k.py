# VGG-11 weather tagging at 224x224: the earlier zoo's vgg11_5x_224x224_weather_tag_bdd100k
# (SysCV/bdd100k-models, mmcls 0.x) on mmpretrain's stock VGG-11 classifier, trained from
# scratch as it was (no initial weights); 4 GPUs x 32 images, 60 epochs, lr 0.01 (its config's;
# its docstring says 0.1).
_base_ = [
    'mmpretrain::_base_/models/vgg11.py', '../_base_/datasets/bdd100k_tagging_weather_224.py',
    '../_base_/schedules/schedule_tagging_5x.py', '../_base_/default_runtime_cls.py'
]

model = dict(backbone=dict(num_classes=7), head=dict(topk=(1, )))
optim_wrapper = dict(optimizer=dict(lr=0.01))
auto_scale_lr = dict(base_batch_size=128)  # the lr's batch (4 GPUs x 32): --auto-scale-lr
