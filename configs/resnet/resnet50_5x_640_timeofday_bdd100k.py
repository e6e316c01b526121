# ResNet-50 time-of-day tagging at 640x640 (daytime, night, dawn/dusk, undefined): a model no
# zoo has published, so without a reference number; the recipe of the weather model of the same
# backbone (resnet50_5x_640_weather_bdd100k: from scratch, 4 GPUs x 12 images, 60 epochs).
_base_ = [
    'mmpretrain::_base_/models/resnet50.py', '../_base_/datasets/bdd100k_tagging_timeofday_640.py',
    '../_base_/schedules/schedule_tagging_5x.py', '../_base_/default_runtime_cls.py'
]

model = dict(head=dict(num_classes=4, topk=(1, )))
auto_scale_lr = dict(base_batch_size=48)  # the lr's batch (4 GPUs x 12): --auto-scale-lr
