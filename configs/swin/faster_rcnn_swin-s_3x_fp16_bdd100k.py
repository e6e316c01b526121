# Faster R-CNN Swin-S 3x, mixed precision (published val box AP 34.21).
_base_ = './faster_rcnn_swin-s_3x_bdd100k.py'

# the earlier zoo's fp16 = dict(loss_scale=dict(init_scale=512))
optim_wrapper = dict(type='AmpOptimWrapper', loss_scale=dict(init_scale=512))
