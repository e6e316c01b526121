# The initial weights of the zoo's ResNet-101 backbones: torchvision's ImageNet ResNet-101
# (IMAGENET1K_V1, the earlier BDD100K zoo's `torchvision://resnet101`) by its file, as
# resnet50_torchvision.py does for ResNet-50: backbone=dict(init_cfg=_base_.resnet101_torchvision).
resnet101_torchvision = dict(
    type='Pretrained', checkpoint='https://download.pytorch.org/models/resnet101-63fe2227.pth')
