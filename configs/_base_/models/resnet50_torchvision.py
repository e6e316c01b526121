# The initial weights of the zoo's ResNet-50 backbones: torchvision's ImageNet ResNet-50
# (IMAGENET1K_V1, Vis4D's and the earlier BDD100K zoo's) by its file, not mmdet's
# `torchvision://resnet50`: mmengine reads $TORCH_HOME/hub/checkpoints or downloads it,
# without torchvision. A variable, not a `model` (two bases of a config may not both set
# `model`): backbone=dict(init_cfg=_base_.resnet50_torchvision).
resnet50_torchvision = dict(
    type='Pretrained', checkpoint='https://download.pytorch.org/models/resnet50-0676ba61.pth')
