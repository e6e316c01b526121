# SimpleBaseline ResNet-101 at 320x256: the earlier zoo's res101_320x256_1x_pose_bdd100k, the
# ResNet-50 320x256 recipe with torchvision's ImageNet ResNet-101.
_base_ = ['./simplebaseline_res50_1x_320x256_bdd100k.py', '../_base_/models/resnet101_torchvision.py']

model = dict(backbone=dict(depth=101, init_cfg=_base_.resnet101_torchvision))
