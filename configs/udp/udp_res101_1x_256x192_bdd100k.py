# UDP ResNet-101 at 256x192: the earlier zoo's res101_udp_256x192_1x_pose_bdd100k, the plain recipe
# with unbiased data processing (UDPHeatmap, use_udp affine, no heatmap shift in the flip test, as
# mmpose's td-hm_hrnet-w32_udp COCO config).
_base_ = '../simplebaseline/simplebaseline_res101_1x_256x192_bdd100k.py'

codec = dict(_base_.codec, type='UDPHeatmap')
model = dict(head=dict(decoder=codec), test_cfg=dict(shift_heatmap=False))
input_size = codec['input_size']
train_pipeline = [*_base_.train_pipeline[:5],
                  dict(type='TopdownAffine', input_size=input_size, use_udp=True),
                  dict(type='GenerateTarget', encoder=codec), dict(type='PackPoseInputs')]
val_pipeline = [*_base_.val_pipeline[:2],
                dict(type='TopdownAffine', input_size=input_size, use_udp=True),
                dict(type='PackPoseInputs')]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
