# Faster R-CNN HRNetV2p-W32 (HRFPN) 3x, multi-scale training (published val box AP 33.97;
# earlier BDD100K zoo): the HRNet of faster_rcnn_hrnetv2p_w32_1x_bdd100k.py on the zoo's
# Faster R-CNN 3x (SGD lr 0.02 for 8 GPUs x 2 images, 36 epochs [24, 33], 1280x600..720).
_base_ = '../faster_rcnn/faster_rcnn_r50_3x_bdd100k.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='HRNet',
        extra=dict(
            stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK', num_blocks=(4, ),
                        num_channels=(64, )),
            stage2=dict(num_modules=1, num_branches=2, block='BASIC', num_blocks=(4, 4),
                        num_channels=(32, 64)),
            stage3=dict(num_modules=4, num_branches=3, block='BASIC', num_blocks=(4, 4, 4),
                        num_channels=(32, 64, 128)),
            stage4=dict(num_modules=3, num_branches=4, block='BASIC', num_blocks=(4, 4, 4, 4),
                        num_channels=(32, 64, 128, 256))),
        init_cfg=dict(type='Pretrained', checkpoint='open-mmlab://msra/hrnetv2_w32')),
    neck=dict(_delete_=True, type='HRFPN', in_channels=[32, 64, 128, 256], out_channels=256))
