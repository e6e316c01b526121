# BDD100K weather tagging at 640x640: the tag of every dataset and of the metric.
_base_ = './bdd100k_tagging_640.py'

tag = 'weather'
data_preprocessor = dict(num_classes=7)
train_dataloader = dict(dataset=dict(tag=tag))
val_dataloader = dict(dataset=dict(tag=tag))
test_dataloader = val_dataloader
val_evaluator = dict(tag=tag)
test_evaluator = val_evaluator
