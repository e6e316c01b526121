# Faster R-CNN R101-FPN 3x, multi-scale training (published val box AP 32.71; earlier
# BDD100K zoo, mmdet 2.x). The zoo's R50 3x on torchvision's ResNet-101 with that zoo's
# recipe: SGD lr 0.04 for 8 GPUs x 4 images (the R50 3x is Vis4D's 0.02 for 8 x 2).
_base_ = ['./faster_rcnn_r50_3x_bdd100k.py', '../_base_/models/resnet101_torchvision.py']

model = dict(backbone=dict(depth=101, init_cfg=_base_.resnet101_torchvision))
train_dataloader = dict(batch_size=4)
optim_wrapper = dict(optimizer=dict(lr=0.04))
auto_scale_lr = dict(base_batch_size=32)
