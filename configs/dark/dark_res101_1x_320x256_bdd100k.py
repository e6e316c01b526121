# DARK ResNet-101 at 320x256: the earlier zoo's res101_dark_320x256_1x_pose_bdd100k, the plain
# recipe with DARK's unbiased heatmap encoding and decoding (MSRAHeatmap unbiased=True, as mmpose's
# td-hm_*_dark COCO configs).
_base_ = '../simplebaseline/simplebaseline_res101_1x_320x256_bdd100k.py'

codec = dict(_base_.codec, unbiased=True)
model = dict(head=dict(decoder=codec))
train_pipeline = [*_base_.train_pipeline[:6], dict(type='GenerateTarget', encoder=codec),
                  dict(type='PackPoseInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
