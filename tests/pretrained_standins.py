"""Stand-ins for the zoo configs' real initial weights, with the published
files' layout (keys, shapes, container, ``meta`` objects), filled with
random values, for tests that must not download anything.

mmengine and torch look a URL's file up in ``$TORCH_HOME/hub/checkpoints/<file
name>`` before downloading it, so :func:`install_standins` puts them there.
"""
import os
import os.path as osp
from collections import OrderedDict

import torch
from torch import nn

RESNET50 = 'resnet50-0676ba61.pth'  # torchvision IMAGENET1K_V1
RESNET50_V1C = 'resnet50_v1c-2cccc1ad.pth'  # open-mmlab://resnet50_v1c
RESNET101_V1C = 'resnet101_v1c-e67eebb6.pth'  # open-mmlab://resnet101_v1c
YOLOX_X = 'yolox_x_8x8_300e_coco_20211126_140254-1ef88d67.pth'  # mmdet 2.x, COCO

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
    'configs/panoptic_fpn/panoptic_fpn_r50_1x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/panoptic_fpn/panoptic_fpn_r50_3x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/panoptic_fpn/panoptic_fpn_r50_5x_bdd100k.py': (RESNET50, 'backbone'),
    'configs/semantic_fpn/semantic_fpn_r50_40k_drivable_bdd100k.py': (RESNET50_V1C, 'backbone'),
    'configs/pspnet/pspnet_r101-d8_80k_bdd100k.py': (RESNET101_V1C, 'backbone'),
}
#: the configs that follow Vis4D's recipes (the others follow the earlier zoo's, stock mmdet's)
VIS4D_CONFIGS = tuple(c for c in ZOO_INIT if 'panoptic' not in c and 'drivable' not in c)

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


def torchvision_resnet50_state_dict() -> OrderedDict:
    """``torchvision.models.resnet50().state_dict()``'s keys and shapes: stem
    ``conv1``/``bn1``, ``layer1-4`` of [3, 4, 6, 3] bottlenecks, ``fc`` 1000x2048.
    The hub file is this bare state dict."""
    net = nn.Module()
    net.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
    net.bn1 = nn.BatchNorm2d(64)
    inplanes = 64
    for i, (planes, blocks) in enumerate(zip((64, 128, 256, 512), (3, 4, 6, 3)), 1):
        layer = [_TorchvisionBottleneck(inplanes, planes, 1 if i == 1 else 2)]
        layer += [_TorchvisionBottleneck(planes * 4, planes) for _ in range(blocks - 1)]
        setattr(net, f'layer{i}', nn.Sequential(*layer))
        inplanes = planes * 4
    net.fc = nn.Linear(2048, 1000)
    return randomized(net.state_dict(), seed=1)


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


STANDINS = {RESNET50: torchvision_resnet50_state_dict, RESNET50_V1C: resnet50_v1c_state_dict,
            RESNET101_V1C: resnet101_v1c_state_dict, YOLOX_X: yolox_x_checkpoint}


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
    """The state dict inside a checkpoint, as mmengine unpacks it."""
    return content['state_dict'] if 'state_dict' in content else content
