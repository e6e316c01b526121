# HRNet-W32 at 320x256 (h x w): the earlier zoo's hrnet_w32_320x256_1x_pose_bdd100k, the 256x192 recipe with
# 256x320 (w, h) inputs and 64x80 heatmaps.
_base_ = './hrnet_pose_w32_1x_256x192_bdd100k.py'

codec = dict(_base_.codec, input_size=(256, 320), heatmap_size=(64, 80))
model = dict(head=dict(decoder=codec))
train_pipeline = [*_base_.train_pipeline[:5], dict(type='TopdownAffine', input_size=(256, 320)),
                  dict(type='GenerateTarget', encoder=codec), dict(type='PackPoseInputs')]
val_pipeline = [*_base_.val_pipeline[:2], dict(type='TopdownAffine', input_size=(256, 320)),
                dict(type='PackPoseInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
