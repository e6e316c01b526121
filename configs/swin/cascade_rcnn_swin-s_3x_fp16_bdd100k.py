# Cascade R-CNN Swin-S 3x, mixed precision (published val box AP 35.49).
# The earlier zoo's config set no fp16 though its name and README say FP16: this one
# trains with it, as intended.
_base_ = './cascade_rcnn_swin-t_3x_bdd100k.py'

model = dict(backbone=_base_.swin_s, neck=dict(in_channels=_base_.swin_s_channels))
optim_wrapper = dict(type='AmpOptimWrapper', loss_scale=dict(init_scale=512))
