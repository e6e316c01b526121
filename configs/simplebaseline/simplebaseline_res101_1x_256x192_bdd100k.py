# SimpleBaseline ResNet-101 at 256x192: the earlier zoo's res101_256x192_1x_pose_bdd100k, the
# ResNet-50 recipe with torchvision's ImageNet ResNet-101 (as mmpose's td-hm_res101 COCO config).
_base_ = ['./simplebaseline_res50_1x_256x192_bdd100k.py', '../_base_/models/resnet101_torchvision.py']

model = dict(backbone=dict(depth=101, init_cfg=_base_.resnet101_torchvision))
