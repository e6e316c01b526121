"""Stand-ins for the zoo configs' real initial weights, with the published
files' layout (keys, shapes, container, ``meta`` objects), filled with
random values, for tests that must not download anything.

mmengine and torch look a URL's file up in ``$TORCH_HOME/hub/checkpoints/<file
name>`` before downloading it, so :func:`install_standins` puts them there.
"""
import json
import os
import os.path as osp
import re
from collections import OrderedDict

import torch
from torch import nn

RESNET50 = 'resnet50-0676ba61.pth'  # torchvision IMAGENET1K_V1
RESNET101 = 'resnet101-63fe2227.pth'  # torchvision IMAGENET1K_V1
# open-mmlab://msra/hrnetv2_w<width>: the ImageNet HRNetV2 of HRNet-Image-Classification
HRNETV2 = {18: 'hrnetv2_w18-00eb2006.pth', 32: 'hrnetv2_w32-dc9eeb4f.pth',
           40: 'hrnetv2_w40-ed0b031c.pth'}
RESNET50_V1C = 'resnet50_v1c-2cccc1ad.pth'  # open-mmlab://resnet50_v1c
# open-mmlab://detectron/resnet{50,101}_caffe and open-mmlab://detectron2/resnet50_caffe:
# caffe-style ImageNet ResNets (FCOS)
RESNET_CAFFE = {'detectron/resnet50_caffe': 'resnet50_caffe-788b5fa3.pth',
                'detectron/resnet101_caffe': 'resnet101_caffe-3ad79236.pth',
                'detectron2/resnet50_caffe': 'resnet50_msra-5891d200.pth'}
RESNET101_V1C = 'resnet101_v1c-e67eebb6.pth'  # open-mmlab://resnet101_v1c
YOLOX_X = 'yolox_x_8x8_300e_coco_20211126_140254-1ef88d67.pth'  # mmdet 2.x, COCO
SWIN_T = 'swin_tiny_patch4_window7_224.pth'  # the Swin authors' ImageNet-1K Swin-T
RESNET50_RSB = 'resnet50_8xb256-rsb-a1-600e_in1k_20211228-20e21305.pth'  # mmcls classifier
PVT_T = 'pvt_tiny.pth'  # the PVT authors' ImageNet PVT-T
PVTV2_B0 = 'pvt_v2_b0.pth'  # and PVTv2-B0
HRNETV2_W48 = 'hrnetv2_w48-d2186c55.pth'  # open-mmlab://msra/hrnetv2_w48, ImageNet
SWIN_T_MMSEG = 'swin_tiny_patch4_window7_224_20220317-1cdeb081.pth'  # mmseg's converted Swin-T
VIT_B16_TIMM = 'jx_vit_base_p16_224-80ecf9dd.pth'  # timm's ImageNet ViT-B/16
DEIT_S = 'deit_small_patch16_224-cd65a155.pth'  # DeiT's ImageNet DeiT-S
# mmcls://mobilenet_v2: mmcls's ImageNet MobileNetV2 classifier (the pose configs')
MOBILENET_V2 = 'mobilenet_v2_batch256_imagenet_20200708-3b2dc3af.pth'
# mmpose's pretrain_models/hrnet_w<width>: the ImageNet HRNet-W32/W48-C of
# HRNet-Image-Classification, the layout of open-mmlab://msra/hrnetv2_w<width>
HRNET_POSE = {32: 'hrnet_w32-36af842e.pth', 48: 'hrnet_w48-8ef0771d.pth'}

# The initial weights of each zoo config: file name and the part of the model it fills.
ZOO_INIT = {
    'configs/faster_rcnn/faster_rcnn_r50_1x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/faster_rcnn/faster_rcnn_r50_3x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/mask_rcnn/mask_rcnn_r50_1x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/mask_rcnn/mask_rcnn_r50_3x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/mask_rcnn/mask_rcnn_r50_5x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/semantic_fpn/semantic_fpn_r50_40k_bdd100k.py': (RESNET50_V1C, 'backbone'),
    'configs/qdtrack/qdtrack_frcnn_r50_fpn_1x_bdd100k.py': (RESNET50, 'detector.backbone'),
    'configs/qdtrack/qdtrack_yolox_x_bdd100k.py': (YOLOX_X, 'detector'),
    'configs/qdtrack/qdtrack_mask_rcnn_r50_fpn_12e_mots_bdd100k.py': (RESNET50, 'detector.backbone'),
    'configs/panoptic_fpn/panoptic_fpn_r50_1x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/panoptic_fpn/panoptic_fpn_r50_3x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/panoptic_fpn/panoptic_fpn_r50_5x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/semantic_fpn/semantic_fpn_r50_40k_drivable_bdd100k.py': (RESNET50_V1C, 'backbone'),
    # the earlier zoo's detection families whose model base is not Faster R-CNN's, and each
    # further file (Cascade R-CNN, Libra R-CNN, DCN, DyHead take theirs through those bases)
    'configs/retinanet/retinanet_r50_1x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/atss/atss_r50_1x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/sparse_rcnn/sparse_rcnn_r50_1x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/faster_rcnn/faster_rcnn_r101_3x_bdd100k.py': (RESNET101, 'backbone'),
    'configs/hrnet/faster_rcnn_hrnetv2p_w18_1x_bdd100k.py': (HRNETV2[18], 'backbone'),
    'configs/fcos/fcos_r50_1x_bdd100k.py': (RESNET_CAFFE['detectron/resnet50_caffe'], 'backbone'),
    'configs/fcos/fcos_r101_3x_bdd100k.py': (RESNET_CAFFE['detectron/resnet101_caffe'],
                                             'backbone'),
    'configs/fcos/fcos_r50_1x_tricks_bdd100k.py': (RESNET_CAFFE['detectron2/resnet50_caffe'],
                                                   'backbone'),
    # the earlier zoo's instance segmentation families: one config per family and file (their
    # siblings take the same file through the same base)
    'configs/cascade_mask_rcnn/cascade_mask_rcnn_r50_1x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/dcn/mask_rcnn_r50_dconv_1x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/gcnet/gcnet_mask_rcnn_r50_1x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/mask_rcnn/mask_rcnn_r101_3x_bdd100k.py': (RESNET101, 'backbone'),
    'configs/hrnet/mask_rcnn_hrnetv2p_w32_1x_bdd100k.py': (HRNETV2[32], 'backbone'),
    'configs/pspnet/pspnet_r101-d8_80k_bdd100k.py': (RESNET101_V1C, 'backbone'),
}
# the pose families: one config per initial-weights layout (the DARK / UDP / 320x256 configs
# inherit theirs; ResNet-101 is ResNet-50's layout, loaded as by the detectors), each filling
# the backbone
POSE_INIT = {
    'configs/simplebaseline/simplebaseline_res50_1x_256x192_bdd100k.py': (RESNET50, 'backbone'),
    'configs/simplebaseline/simplebaseline_mobilenetv2_1x_256x192_bdd100k.py': (MOBILENET_V2,
                                                                                'backbone'),
    'configs/hrnet_pose/hrnet_pose_w32_1x_256x192_bdd100k.py': (HRNET_POSE[32], 'backbone'),
    'configs/hrnet_pose/hrnet_pose_w48_1x_256x192_bdd100k.py': (HRNET_POSE[48], 'backbone'),
}
#: modules the zoo adds to an ImageNet backbone (DCN offsets, GCNet context blocks): the file
#: has no weights for them, they keep their own initialisation
ADDED_MODULES = ('.conv_offset.', '.context_block.')

_REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _follows_vis4d(config: str) -> bool:
    """Whether the config's record publishes Vis4D's number (so it follows Vis4D's recipe);
    the others follow the earlier zoo's (stock mmdet's)."""
    with open(osp.join(_REPO, 'results', osp.basename(config)[:-3] + '.json')) as f:
        return json.load(f)['published']['val']['source'].startswith('SysCV/vis4d@')


# The semantic-segmentation / drivable-area families: one config per initial-weights layout
# beyond ResNet-50-V1c (Swin-S/-B files are Swin-T's layout at other depths and widths; the
# ConvNeXt files need mmpretrain), with the part the file fills.
SEG_INIT = {
    'configs/ccnet/ccnet_r101-d8_80k_bdd100k.py': (RESNET101_V1C, 'backbone'),
    'configs/hrnet/fcn_hr48_40k_bdd100k.py': (HRNETV2_W48, 'backbone'),
    'configs/swin/upernet_swin-t_40k_bdd100k.py': (SWIN_T_MMSEG, 'backbone'),
    'configs/vit/upernet_vit-b_80k_bdd100k.py': (VIT_B16_TIMM, 'backbone'),
    'configs/dpt/dpt_vit-b_80k_bdd100k.py': (VIT_B16_TIMM, 'backbone'),
    'configs/deit/upernet_deit-s_80k_bdd100k.py': (DEIT_S, 'backbone'),
}
#: the configs that follow Vis4D's recipes (the others follow the earlier zoo's, stock mmdet's)
VIS4D_CONFIGS = tuple(c for c in ZOO_INIT if _follows_vis4d(c))

# One config per further weight layout (the family's other sizes share it): the Swin authors'
# files (Swin-T/S/B, 1K and 22K), mmcls classifiers (RSB ResNet-50).
LAYOUT_CONFIGS = {
    SWIN_T: ('configs/swin/faster_rcnn_swin-t_1x_bdd100k.py', 'backbone'),
    RESNET50_RSB: ('configs/rsb/faster_rcnn_r50-rsb_1x_bdd100k.py', 'backbone'),
    PVT_T: ('configs/pvt/retinanet_pvt-t_1x_bdd100k.py', 'backbone'),
    PVTV2_B0: ('configs/pvt/retinanet_pvtv2-b0_1x_bdd100k.py', 'backbone'),
}

# YOLOX-x COCO -> BDD100K: the 80-class classifier convs cannot load into 8 classes
YOLOX_CLASS_KEYS = tuple(f'bbox_head.multi_level_conv_cls.{i}.{p}'
                         for i in range(3) for p in ('weight', 'bias'))

COCO_CLASSES = (
    'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat',
    'traffic light', 'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog',
    'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella',
    'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite',
    'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
    'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich',
    'orange', 'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch',
    'potted plant', 'bed', 'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote',
    'keyboard', 'cell phone', 'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book',
    'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush')


def randomized(state: dict, seed: int = 0) -> OrderedDict:
    """Every floating tensor filled with random values at a trained network's
    scale (weights ~ N(0, 1/fan_in), BN scales near 1, shifts and running means
    near 0, running variances near 1), so that training from them runs with
    finite losses, and no weight matches a freshly initialised one by chance."""
    gen = torch.Generator().manual_seed(seed)
    out = OrderedDict()
    for key, value in state.items():
        if value.is_floating_point():
            noise = torch.randn(value.shape, generator=gen)
            if key.endswith('running_var'):
                value = 1 + 0.2 * noise.abs()
            elif value.dim() >= 2:  # conv / linear weights
                value = noise * (value[0].numel() ** -0.5)
            elif key.endswith('weight'):  # norm scales
                value = 1 + 0.1 * noise
            else:  # biases, norm shifts, running means
                value = 0.1 * noise
        out[key] = value.clone()
    return out


class _TorchvisionBottleneck(nn.Module):
    """The module layout of ``torchvision.models.resnet.Bottleneck`` (v1.5:
    stride on the 3x3 conv); torchvision does not import beside the CPU torch."""

    def __init__(self, inplanes: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        if stride != 1 or inplanes != planes * 4:
            self.downsample = nn.Sequential(
                nn.Conv2d(inplanes, planes * 4, 1, stride, bias=False), nn.BatchNorm2d(planes * 4))


def _torchvision_resnet_state_dict(blocks, seed: int) -> OrderedDict:
    net = nn.Module()
    net.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
    net.bn1 = nn.BatchNorm2d(64)
    inplanes = 64
    for i, (planes, num) in enumerate(zip((64, 128, 256, 512), blocks), 1):
        layer = [_TorchvisionBottleneck(inplanes, planes, 1 if i == 1 else 2)]
        layer += [_TorchvisionBottleneck(planes * 4, planes) for _ in range(num - 1)]
        setattr(net, f'layer{i}', nn.Sequential(*layer))
        inplanes = planes * 4
    net.fc = nn.Linear(2048, 1000)
    return randomized(net.state_dict(), seed=seed)


def torchvision_resnet50_state_dict() -> OrderedDict:
    """``torchvision.models.resnet50().state_dict()``'s keys and shapes: stem
    ``conv1``/``bn1``, ``layer1-4`` of [3, 4, 6, 3] bottlenecks, ``fc`` 1000x2048.
    The hub file is this bare state dict."""
    return _torchvision_resnet_state_dict((3, 4, 6, 3), seed=1)


def torchvision_resnet101_state_dict() -> OrderedDict:
    """``torchvision.models.resnet101().state_dict()``: as ResNet-50 with [3, 4, 23, 3]
    bottlenecks; a bare state dict too."""
    return _torchvision_resnet_state_dict((3, 4, 23, 3), seed=4)


def caffe_resnet_state_dict(depth: int, seed: int) -> OrderedDict:
    """The caffe-style ImageNet ResNets of ``open-mmlab://detectron/resnet<depth>_caffe``
    and ``open-mmlab://detectron2/resnet50_caffe`` (bare state dicts converted to mmdet's
    ``ResNet`` names): torchvision's keys and shapes without the classifier (caffe style
    only moves the stride from the 3x3 to the 1x1 conv)."""
    state = _torchvision_resnet_state_dict({50: (3, 4, 6, 3), 101: (3, 4, 23, 3)}[depth], seed)
    return OrderedDict((k, v) for k, v in state.items() if not k.startswith('fc.'))


def hrnetv2_state_dict(width: int) -> OrderedDict:
    """The ImageNet HRNetV2-W<width> of ``open-mmlab://msra/hrnetv2_w<width>``
    (HRNet-Image-Classification's, a bare state dict): mmdet's ``HRNet`` backbone
    (stem ``conv1``/``bn1``/``conv2``/``bn2``, ``layer1``, ``transition1-3``,
    ``stage2-4``) plus the classification head the detector does not use:
    ``incre_modules`` (a bottleneck per branch to 128/256/512/1024 channels),
    ``downsamp_modules``, ``final_layer`` (1024 -> 2048) and a 1000-class ``classifier``."""
    from mmdet.models.backbones import HRNet
    extra = dict(
        stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK', num_blocks=(4, ),
                    num_channels=(64, )),
        stage2=dict(num_modules=1, num_branches=2, block='BASIC', num_blocks=(4, 4),
                    num_channels=(width, 2 * width)),
        stage3=dict(num_modules=4, num_branches=3, block='BASIC', num_blocks=(4, 4, 4),
                    num_channels=(width, 2 * width, 4 * width)),
        stage4=dict(num_modules=3, num_branches=4, block='BASIC', num_blocks=(4, 4, 4, 4),
                    num_channels=(width, 2 * width, 4 * width, 8 * width)))
    state = HRNet(extra).state_dict()
    head = nn.Module()
    head.incre_modules = nn.ModuleList(
        nn.Sequential(_TorchvisionBottleneck(width * 2**i, 32 * 2**i)) for i in range(4))
    head.downsamp_modules = nn.ModuleList(
        nn.Sequential(nn.Conv2d(128 * 2**i, 256 * 2**i, 3, 2, 1), nn.BatchNorm2d(256 * 2**i),
                      nn.ReLU()) for i in range(3))
    head.final_layer = nn.Sequential(nn.Conv2d(1024, 2048, 1), nn.BatchNorm2d(2048), nn.ReLU())
    head.classifier = nn.Linear(2048, 1000)
    state.update(head.state_dict())
    return randomized(state, seed=width)


#: the classification head of the HRNetV2 ImageNet files, not loaded into detectors
HRNET_HEAD = ('incre_modules.', 'downsamp_modules.', 'final_layer.', 'classifier.')


def resnet50_v1c_state_dict(depth: int = 50) -> OrderedDict:
    """The ImageNet ResNet-50-V1c of ``open-mmlab://resnet50_v1c``: mmseg's
    ``ResNetV1c`` (deep stem ``stem.*``) plus its 1000-class ``fc``."""
    from mmseg.models.backbones import ResNetV1c
    state = ResNetV1c(depth=depth).state_dict()
    state['fc.weight'], state['fc.bias'] = torch.zeros(1000, 2048), torch.zeros(1000)
    return randomized(state, seed=2 if depth == 50 else 4)


def resnet101_v1c_state_dict() -> OrderedDict:
    """``open-mmlab://resnet101_v1c``: the same layout with [3, 4, 23, 3] bottlenecks."""
    return resnet50_v1c_state_dict(depth=101)
#: the classification head of HRNet-Image-Classification's ImageNet HRNetV2-W48 (a sample
#: of its modules): in the file, not in mmseg's HRNet backbone
HRNET_CLS_HEAD = {'incre_modules.0.0.conv1.weight': (32, 48, 1, 1),
                  'downsamp_modules.0.0.weight': (256, 128, 3, 3),
                  'final_layer.0.weight': (2048, 1024, 1, 1),
                  'classifier.weight': (1000, 2048), 'classifier.bias': (1000, )}


def hrnetv2_w48_state_dict() -> OrderedDict:
    """The ImageNet HRNetV2-W48 of ``open-mmlab://msra/hrnetv2_w48``: mmseg's
    ``HRNet`` with the W48 branches (as mmseg's fcn_hr48 configs build it, bare
    keys ``conv1``, ``layer1``, ``transition1``, ``stage2``...) plus the
    classifier's modules."""
    from mmengine.config import Config
    from mmseg.models.backbones import HRNet
    import mmseg
    cfg = Config.fromfile(osp.join(osp.dirname(mmseg.__file__),
                                   '.mim/configs/hrnet/fcn_hr48_4xb2-40k_cityscapes-512x1024.py'))
    extra = cfg.model.backbone.extra.to_dict()
    state = HRNet(extra).state_dict()
    state.update({k: torch.zeros(shape) for k, shape in HRNET_CLS_HEAD.items()})
    return randomized(state, seed=4)


def swin_t_mmseg_state_dict() -> OrderedDict:
    """mmseg's ImageNet-1K Swin-T (``swin_tiny_..._20220317``), the official
    file as mmseg's swin2mmseg.py writes it: mmseg's ``SwinTransformer`` keys
    (``stages.N.blocks.M.attn.w_msa.*``, ``ffn.layers.*``) under ``backbone.``,
    the classifier's final ``norm`` but not the per-output ``norm0-3`` the
    segmentation backbone adds, no ``head``."""
    from mmseg.models.backbones import SwinTransformer
    state = SwinTransformer(embed_dims=96, depths=[2, 2, 6, 2], num_heads=[3, 6, 12, 24],
                            window_size=7).state_dict()
    state = OrderedDict((k, v) for k, v in state.items() if not re.match(r'norm\d\.', k))
    state['norm.weight'], state['norm.bias'] = torch.ones(768), torch.zeros(768)
    return randomized(OrderedDict(('backbone.' + k, v) for k, v in state.items()), seed=5)


def timm_vit_state_dict(embed_dims: int, depth: int = 12, seed: int = 7) -> OrderedDict:
    """A timm ``VisionTransformer`` /16 at 224 (ImageNet-1K, 1000 classes): ``cls_token``,
    ``pos_embed`` (197 tokens), ``patch_embed.proj``, ``blocks.N`` (``norm1``,
    ``attn.qkv``, ``attn.proj``, ``norm2``, ``mlp.fc1``, ``mlp.fc2``), ``norm``, ``head``."""
    e = embed_dims
    shapes = {'cls_token': (1, 1, e), 'pos_embed': (1, 197, e),
              'patch_embed.proj.weight': (e, 3, 16, 16), 'patch_embed.proj.bias': (e, )}
    for i in range(depth):
        shapes.update({f'blocks.{i}.{k}': v for k, v in {
            'norm1.weight': (e, ), 'norm1.bias': (e, ),
            'attn.qkv.weight': (3 * e, e), 'attn.qkv.bias': (3 * e, ),
            'attn.proj.weight': (e, e), 'attn.proj.bias': (e, ),
            'norm2.weight': (e, ), 'norm2.bias': (e, ),
            'mlp.fc1.weight': (4 * e, e), 'mlp.fc1.bias': (4 * e, ),
            'mlp.fc2.weight': (e, 4 * e), 'mlp.fc2.bias': (e, )}.items()})
    shapes.update({'norm.weight': (e, ), 'norm.bias': (e, ), 'head.weight': (1000, e),
                   'head.bias': (1000, )})
    return randomized(OrderedDict((k, torch.zeros(s)) for k, s in shapes.items()), seed=seed)


def deit_s_checkpoint() -> dict:
    """DeiT's released DeiT-S: the timm ViT-S/16 weights under ``model``."""
    return {'model': timm_vit_state_dict(384, seed=8)}


def yolox_x_checkpoint() -> dict:
    """mmdet's COCO YOLOX-x as mmdet 2.x published it: ``meta`` (versions,
    config text, the 80 COCO class names as a tuple, epoch, iter) and
    ``state_dict`` with the detector's weights plus the ``ema_*`` copies its
    EMA hook registered as buffers."""
    import mmdet
    from mmdet.registry import MODELS
    from mmdet.utils import register_all_modules
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(osp.join(osp.dirname(mmdet.__file__),
                                   '.mim/configs/yolox/yolox_x_8xb8-300e_coco.py'))
    model_cfg = cfg.model
    model_cfg.pop('data_preprocessor')
    with DefaultScope.overwrite_default_scope('mmdet'):
        state = randomized(MODELS.build(model_cfg).state_dict(), seed=3)
    # the EMA copies share storage with the weights, so the file stays ~400 MB
    state.update({f"ema_{key.replace('.', '_')}": value for key, value in list(state.items())})
    meta = dict(
        env_info='sys.platform: linux\nPython: 3.7.10\nCUDA available: True',
        config=cfg.pretty_text, seed=0, exp_name='yolox_x_8x8_300e_coco.py',
        mmdet_version='2.18.1+b29b1ab', CLASSES=COCO_CLASSES, epoch=300, iter=554400,
        mmcv_version='1.3.17', time='Fri Nov 26 14:02:54 2021', hook_msgs=dict())
    return {'meta': meta, 'state_dict': state}


def swin_t_checkpoint() -> dict:
    """The Swin authors' ``swin_tiny_patch4_window7_224.pth``: ``{'model': state}`` in their
    module layout (``patch_embed.proj``, ``layers.i.blocks.j.attn.qkv`` / ``mlp.fc1``, patch
    merging ``downsample.reduction`` in their unfold order, one final ``norm``, the 1000-class
    ``head``, the shifted blocks' ``attn_mask`` buffers): mmdet's SwinTransformer with
    mmdet's ``swin_converter`` undone."""
    from mmdet.models.backbones import SwinTransformer
    state = randomized(SwinTransformer(embed_dims=96, depths=[2, 2, 6, 2],
                                       num_heads=[3, 6, 12, 24]).state_dict(), seed=4)
    out = OrderedDict()
    for key, value in state.items():
        if key.startswith(('norm0', 'norm1', 'norm2')):
            continue  # mmdet's per-output norms; the file has one final norm
        if key.startswith('norm3'):
            key = key.replace('norm3', 'norm')
        key = key.replace('patch_embed.projection', 'patch_embed.proj')
        key = key.replace('stages', 'layers', 1).replace('attn.w_msa.', 'attn.')
        key = key.replace('ffn.layers.0.0.', 'mlp.fc1.').replace('ffn.layers.1.', 'mlp.fc2.')
        if key.endswith('downsample.reduction.weight'):  # mmdet's unfold order -> theirs
            o, c = value.shape
            value = value.reshape(o, c // 4, 4).transpose(1, 2)[:, [0, 2, 1, 3]].reshape(o, c)
        elif '.downsample.norm.' in key:
            c = value.shape[0]
            value = value.reshape(c // 4, 4).transpose(0, 1)[[0, 2, 1, 3]].reshape(c)
        out[key] = value.contiguous()
    for stage, (blocks, size) in enumerate(zip((2, 2, 6), (56, 28, 14))):
        for block in range(1, blocks, 2):  # shifted windows: (windows, 49, 49) masks
            out[f'layers.{stage}.blocks.{block}.attn_mask'] = torch.zeros(
                (size // 7)**2, 49, 49)
    out['head.weight'], out['head.bias'] = 0.01 * torch.randn(1000, 768), torch.zeros(1000)
    return {'model': out}


def resnet50_rsb_checkpoint() -> dict:
    """mmcls's RSB ResNet-50 classifier: ``meta`` and ``state_dict`` with ``backbone.*``
    (mmcls's ResNet, the same keys as mmdet's) and ``head.fc``."""
    from mmdet.models.backbones import ResNet
    state = OrderedDict((f'backbone.{k}', v) for k, v in ResNet(depth=50).state_dict().items())
    state['head.fc.weight'], state['head.fc.bias'] = torch.zeros(1000, 2048), torch.zeros(1000)
    return {'meta': dict(mmcls_version='0.19.0', epoch=600, iter=375000),
            'state_dict': randomized(state, seed=5)}


def mobilenet_v2_checkpoint() -> dict:
    """mmcls's ImageNet MobileNetV2 classifier: ``meta`` and ``state_dict`` with
    ``backbone.*`` (mmcls's MobileNetV2 up to the 1280-channel ``conv2``, mmpose's
    keys) and the 1000-class ``head.fc``."""
    from mmpose.models.backbones import MobileNetV2
    state = OrderedDict((f'backbone.{k}', v)
                        for k, v in MobileNetV2(out_indices=(7, )).state_dict().items())
    state['head.fc.weight'], state['head.fc.bias'] = torch.zeros(1000, 1280), torch.zeros(1000)
    return {'meta': dict(mmcls_version='0.12.0', epoch=300),
            'state_dict': randomized(state, seed=9)}


def _pvt_checkpoint(model, seed: int) -> OrderedDict:
    """The PVT authors' layout of an mmdet PVT / PVTv2 (mmdet's ``pvt_convert`` undone): a
    bare state dict of ``patch_embed{i}``, ``pos_embed{i}`` (v1; the last with the class
    token), ``block{i}.{j}`` with separate ``attn.q`` / ``attn.kv`` and linear ``mlp.fc1`` /
    ``fc2`` (v2: ``mlp.dwconv.dwconv``), ``norm{i}`` (v2) or one final ``norm`` and
    ``cls_token`` (v1), and the 1000-class ``head``."""
    state = randomized(model.state_dict(), seed=seed)
    v1 = any(k.endswith('pos_embed') for k in state)
    out = OrderedDict()
    for key, value in state.items():
        parts = key.split('.')
        stage = int(parts[1]) + 1
        if parts[2] == '0':  # patch embedding
            out[f'patch_embed{stage}.' + '.'.join(parts[3:]).replace('projection', 'proj')] = value
        elif parts[2] == '2':  # v2's norm after each stage
            out[f'norm{stage}.{parts[3]}'] = value
        elif parts[4] == 'pos_embed':
            out[f'pos_embed{stage}'] = value if stage < 4 else torch.cat(
                [torch.zeros(1, 1, value.shape[2]), value], dim=1)
        else:
            block = f'block{stage}.{int(parts[3]) - v1}.'
            rest = '.'.join(parts[4:])
            if rest.startswith('attn.attn.in_proj_'):
                kind, dim = rest[len('attn.attn.in_proj_'):], value.shape[0] // 3
                out[block + f'attn.q.{kind}'] = value[:dim]
                out[block + f'attn.kv.{kind}'] = value[dim:]
                continue
            rest = rest.replace('attn.attn.out_proj.', 'attn.proj.')
            rest = rest.replace('ffn.layers.0.', 'mlp.fc1.')
            rest = rest.replace('ffn.layers.1.', 'mlp.dwconv.dwconv.')
            rest = rest.replace(f'ffn.layers.{3 if v1 else 4}.', 'mlp.fc2.')
            if rest in ('mlp.fc1.weight', 'mlp.fc2.weight'):
                value = value.flatten(1)  # linear layers there, 1x1 convs here
            out[block + rest] = value
    width = out['patch_embed4.proj.bias'].shape[0]
    if v1:
        out['cls_token'] = torch.zeros(1, 1, width)
        out['norm.weight'], out['norm.bias'] = torch.ones(width), torch.zeros(width)
    out['head.weight'], out['head.bias'] = 0.01 * torch.randn(1000, width), torch.zeros(1000)
    return out


def pvt_t_state_dict() -> OrderedDict:
    from mmdet.models.backbones import PyramidVisionTransformer
    return _pvt_checkpoint(PyramidVisionTransformer(num_layers=[2, 2, 2, 2]), seed=6)


def pvtv2_b0_state_dict() -> OrderedDict:
    from mmdet.models.backbones import PyramidVisionTransformerV2
    return _pvt_checkpoint(
        PyramidVisionTransformerV2(embed_dims=32, num_layers=[2, 2, 2, 2]), seed=7)


STANDINS = {RESNET50: torchvision_resnet50_state_dict, RESNET50_V1C: resnet50_v1c_state_dict,
            YOLOX_X: yolox_x_checkpoint, RESNET101: torchvision_resnet101_state_dict,
            RESNET101_V1C: resnet101_v1c_state_dict, SWIN_T: swin_t_checkpoint,
            RESNET50_RSB: resnet50_rsb_checkpoint,
            PVT_T: pvt_t_state_dict, PVTV2_B0: pvtv2_b0_state_dict,
            HRNETV2_W48: hrnetv2_w48_state_dict, SWIN_T_MMSEG: swin_t_mmseg_state_dict,
            VIT_B16_TIMM: lambda: timm_vit_state_dict(768), DEIT_S: deit_s_checkpoint,
            MOBILENET_V2: mobilenet_v2_checkpoint,
            **{name: (lambda w=width: hrnetv2_state_dict(w)) for width, name in HRNET_POSE.items()},
            **{name: (lambda w=width: hrnetv2_state_dict(w)) for width, name in HRNETV2.items()},
            **{name: (lambda d=int(key.split('resnet')[1].split('_')[0]), s=seed:
                      caffe_resnet_state_dict(d, s))
               for seed, (key, name) in enumerate(RESNET_CAFFE.items(), 10)}}


def save_standin(name: str, path: str, content=None) -> object:
    """Writes the stand-in for ``name`` (or ``content``) to ``path`` as its
    publisher did; returns what was saved."""
    content = STANDINS[name]() if content is None else content
    os.makedirs(osp.dirname(path), exist_ok=True)
    # mmdet 2.x's publish_model.py wrote the legacy (pre-zip) format
    torch.save(content, path, _use_new_zipfile_serialization=name != YOLOX_X)
    return content


def install_standins(torch_home: str, names=tuple(STANDINS)) -> dict:
    """Stand-ins under their real names in ``<torch_home>/hub/checkpoints``."""
    return {name: save_standin(name, osp.join(torch_home, 'hub', 'checkpoints', name))
            for name in names}


def file_state(content) -> dict:
    """The state dict inside a checkpoint, as mmengine (and, for ``model``, mmdet's Swin)
    unpacks it."""
    return content['state_dict'] if 'state_dict' in content else content.get('model', content)
