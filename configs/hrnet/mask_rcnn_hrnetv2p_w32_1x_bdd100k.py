# Mask R-CNN HRNetV2p-W32 (HRFPN) 1x on BDD100K instance segmentation (published val mask AP
# 18.69, box AP 24.75; earlier BDD100K zoo, mmdet 2.x). As mmdet's
# hrnet/mask-rcnn_hrnetv2p-w32-1x_coco.py on the zoo's Mask R-CNN 1x (SGD lr 0.02 for 8 GPUs x
# 2 images, 12 epochs [8, 11], 1280x720), from the open-mmlab ImageNet HRNetV2-W32. That zoo's
# Mask R-CNN was stock mmdet, so the R-CNN assigner keeps low-quality matches (the zoo's Mask
# R-CNN R50 drops them, as Vis4D).
_base_ = '../mask_rcnn/mask_rcnn_r50_1x_bdd100k.py'

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
    neck=dict(_delete_=True, type='HRFPN', in_channels=[32, 64, 128, 256], out_channels=256),
    train_cfg=dict(rcnn=dict(assigner=dict(match_low_quality=True))))
