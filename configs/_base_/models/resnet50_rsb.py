# The initial weights of the "ResNet Strikes Back" backbones: mmcls's ResNet-50 trained
# with the RSB A1 recipe (a whole classifier: the backbone's weights under `backbone.`),
# as mmdet's stock resnet_strikes_back configs load it. A variable, as
# resnet50_torchvision.py: backbone=dict(init_cfg=_base_.resnet50_rsb).
resnet50_rsb = dict(
    type='Pretrained', prefix='backbone.',
    checkpoint='https://download.openmmlab.com/mmclassification/v0/resnet/'
    'resnet50_8xb256-rsb-a1-600e_in1k_20211228-20e21305.pth')
