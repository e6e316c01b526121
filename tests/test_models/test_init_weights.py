"""Every zoo config starts from its real initial weights.

Stand-ins with the published files' layout (``pretrained_standins``) lie in a
temporary hub cache under the real file names; each model is built as
``tools/train.py`` builds it (its config, the zoo's Runner with its
adaptation to the machine, weight initialisation and ``load_from``), with torch's ``weights_only``
loading left on, and every weight and running statistic of the part the file
fills must equal the file's, compared by value.
"""
import os
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import RUNNERS

from helpers import REPO
from pretrained_standins import (ADDED_MODULES, DEIT_S, HRNETV2, HRNETV2_W48, HRNET_CLS_HEAD,
                                 HRNET_HEAD, LAYOUT_CONFIGS, MOBILENET_V2, POSE_INIT, PVTV2_B0, PVT_T, RESNET101,
                                 RESNET101_V1C, RESNET50, RESNET50_RSB, RESNET50_V1C,
                                 RESNET_CAFFE, SEG_INIT, SWIN_T, SWIN_T_MMSEG, VIS4D_CONFIGS,
                                 VIT_B16_TIMM,
                                 YOLOX_CLASS_KEYS, YOLOX_X, ZOO_INIT, file_state, save_standin)


@pytest.fixture(scope='module')
def torch_home(tmp_path_factory):
    """An empty hub cache as ``$TORCH_HOME``: a stand-in not put there would be
    downloaded, which fails without a network."""
    home = str(tmp_path_factory.mktemp('torch_home'))
    old = os.environ.get('TORCH_HOME')
    os.environ['TORCH_HOME'] = home
    yield home
    if old is None:
        del os.environ['TORCH_HOME']
    else:
        os.environ['TORCH_HOME'] = old


@pytest.fixture(scope='module')
def standins(torch_home):
    """The stand-ins, written on first use (the YOLOX-x one is ~400 MB)."""
    saved = {}

    def get(name):
        if name not in saved:
            saved[name] = save_standin(
                name, osp.join(torch_home, 'hub', 'checkpoints', name))
        return saved[name]
    return get


def build_as_train_py(config: str, work_dir) -> torch.nn.Module:
    """The model of ``tools/train.py CONFIG`` right before its first iteration."""
    cfg = Config.fromfile(osp.join(REPO, config))
    cfg.launcher = 'none'
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'init_{osp.basename(config)}_{id(work_dir)}'
    runner = RUNNERS.build(cfg)
    runner._init_model_weights()  # what Runner.train() does before the loop
    runner.load_or_resume()
    return runner.model


def assert_loaded_from(module: torch.nn.Module, state: dict, skip=()) -> tuple:
    """Every tensor of ``module`` (but ``skip`` and BN's batch counters) equals
    the same key of ``state`` by value; returns (number of keys loaded, the
    file's keys not loaded, batch counters aside)."""
    missing, differ, loaded = [], [], set()
    for key, value in module.state_dict().items():
        if key in skip or key.endswith('num_batches_tracked'):
            continue
        source = state.get(key)
        if source is None:
            missing.append(key)
        elif source.shape != value.shape or not torch.equal(source, value.cpu()):
            differ.append(key)
        else:
            loaded.add(key)
    assert not missing and not differ, (
        f'{len(missing)} weights not in the file (e.g. {missing[:3]}), {len(differ)} differ from '
        f'it (e.g. {differ[:3]}); {len(loaded)} loaded')
    return len(loaded), sorted(k for k in state
                               if k not in loaded and not k.endswith('num_batches_tracked'))


def part(model, path):
    for name in path.split('.'):
        model = getattr(model, name)
    return model


def added_modules(backbone) -> set:
    """The weights of modules the zoo adds to an ImageNet backbone (DCN offsets, GCNet
    context blocks), which the file cannot hold."""
    return {k for k in backbone.state_dict() if any(m in k for m in ADDED_MODULES)}


@pytest.mark.parametrize('config', [c for c, (name, _) in ZOO_INIT.items() if name == RESNET50])
def test_torchvision_resnet50_configs_load_it(config, standins, tmp_path):
    state = file_state(standins(RESNET50))
    model = build_as_train_py(config, tmp_path)
    loaded, unused = assert_loaded_from(part(model, ZOO_INIT[config][1]), state,
                                        skip=added_modules(part(model, ZOO_INIT[config][1])))
    assert loaded == 265  # 53 convs + 53 BNs x 4 tensors: every ResNet-50 weight
    assert unused == ['fc.bias', 'fc.weight']
    if config not in VIS4D_CONFIGS:
        return
    backbone = part(model, ZOO_INIT[config][1])
    # Vis4D's trainable_layers=3 (stem and layer1 frozen), BN affine trainable, BN in eval mode
    assert not backbone.conv1.weight.requires_grad
    assert not backbone.layer1[0].bn1.weight.requires_grad
    assert backbone.layer2[0].conv1.weight.requires_grad
    assert backbone.layer2[0].bn1.weight.requires_grad
    backbone.train()
    assert not backbone.layer3[0].bn1.training
    detector = model.detector if 'qdtrack' in config else model
    # Vis4D clips proposals and detections (so tracks) to the image; its R-CNN assigner takes
    # no low-quality matches
    assert detector.rpn_head.bbox_coder.clip_border
    assert detector.roi_head.bbox_head.bbox_coder.clip_border
    assert not detector.roi_head.bbox_assigner.match_low_quality


@pytest.mark.parametrize('config', [c for c, (name, _) in ZOO_INIT.items() if name == RESNET101])
def test_torchvision_resnet101_configs_load_it(config, standins, tmp_path):
    state = file_state(standins(RESNET101))
    model = build_as_train_py(config, tmp_path)
    loaded, unused = assert_loaded_from(part(model, ZOO_INIT[config][1]), state)
    assert loaded == 520  # 104 convs + 104 BNs x 4 tensors: every ResNet-101 weight
    assert unused == ['fc.bias', 'fc.weight']


@pytest.mark.parametrize('config', [c for c, (name, _) in ZOO_INIT.items()
                                    if name in HRNETV2.values()])
def test_hrnet_configs_load_the_imagenet_hrnetv2(config, standins, tmp_path):
    """``open-mmlab://msra/hrnetv2_w<width>`` resolves to the file in the hub cache; every
    backbone weight comes from it, its classification head stays out."""
    state = file_state(standins(ZOO_INIT[config][0]))
    model = build_as_train_py(config, tmp_path)
    loaded, unused = assert_loaded_from(part(model, ZOO_INIT[config][1]), state)
    assert loaded == len([k for k in state if not k.startswith(HRNET_HEAD)
                          and not k.endswith('num_batches_tracked')])
    assert unused and all(k.startswith(HRNET_HEAD) for k in unused)


@pytest.mark.parametrize('config', [c for c, (name, _) in ZOO_INIT.items()
                                    if name in RESNET_CAFFE.values()])
def test_caffe_resnet_configs_load_it_through_the_open_mmlab_scheme(config, standins, tmp_path):
    """FCOS's ``open-mmlab://detectron[2]/resnet*_caffe`` resolves to the file in the hub
    cache; every backbone weight comes from it."""
    state = file_state(standins(ZOO_INIT[config][0]))
    model = build_as_train_py(config, tmp_path)
    loaded, unused = assert_loaded_from(part(model, ZOO_INIT[config][1]), state)
    assert loaded == len([k for k in state if not k.endswith('num_batches_tracked')])
    assert not unused
    assert model.backbone.layer1[0].conv1.stride == (1, 1)  # caffe: stride on the 1x1
    assert model.backbone.layer2[0].conv1.stride == (2, 2)


@pytest.mark.parametrize('config, container', [
    (config, container) for config, (name, _) in ZOO_INIT.items() if name == RESNET50_V1C
    for container in ('bare', 'state_dict')])
def test_semantic_fpn_loads_resnet50_v1c_through_open_mmlab_scheme(
        config, container, tmp_path, monkeypatch):
    """``open-mmlab://resnet50_v1c`` resolves to the https file, then to the hub
    cache; both ways a checkpoint can hold the weights load."""
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    content = save_standin(RESNET50_V1C, str(tmp_path / 'v1c.pth'))
    if container == 'state_dict':
        content = {'state_dict': content}
    save_standin(RESNET50_V1C, str(tmp_path / 'hub' / 'checkpoints' / RESNET50_V1C), content)
    model = build_as_train_py(config, tmp_path / 'work')
    loaded, unused = assert_loaded_from(model.backbone, file_state(content))
    assert loaded == 275  # deep stem: 3 convs + 3 BNs instead of conv1 + bn1
    assert unused == ['fc.bias', 'fc.weight']


@pytest.mark.parametrize('config', [c for c, (n, _) in ZOO_INIT.items() if n == RESNET101_V1C])
def test_r101_segmentors_load_resnet101_v1c(config, standins, tmp_path):
    """The R-101-D8 segmentors swap the model base's ``open-mmlab://resnet50_v1c`` for
    ``resnet101_v1c``; its file fills every weight of the dilated ResNet-101-V1c."""
    state = file_state(standins(RESNET101_V1C))
    model = build_as_train_py(config, tmp_path)
    loaded, unused = assert_loaded_from(part(model, ZOO_INIT[config][1]), state)
    assert loaded == 530  # ResNet-50-V1c's 275 + 17 more bottlenecks x (3 convs + 3 BNs x 4)
    assert unused == ['fc.bias', 'fc.weight']
    assert part(model, ZOO_INIT[config][1]).layer4[-1].conv2.dilation == (4, 4)  # D8


def test_qdtrack_yolox_x_loads_the_coco_detector(standins, tmp_path):
    content = standins(YOLOX_X)
    model = build_as_train_py('configs/qdtrack/qdtrack_yolox_x_bdd100k.py', tmp_path)
    state = file_state(content)
    loaded, unused = assert_loaded_from(model.detector, state, skip=YOLOX_CLASS_KEYS)
    assert loaded == len([k for k in state if not k.startswith('ema_')
                          and not k.endswith('num_batches_tracked')]) - len(YOLOX_CLASS_KEYS)
    assert [k for k in unused if not k.startswith('ema_')] == sorted(YOLOX_CLASS_KEYS)
    assert model.detector.bbox_head.multi_level_conv_cls[0].weight.shape[0] == 8

    # Vis4D: no weight decay on the detector's norms and biases, full decay in the track head
    from mmengine.optim import build_optim_wrapper
    cfg = Config.fromfile(osp.join(REPO, 'configs/qdtrack/qdtrack_yolox_x_bdd100k.py'))
    cfg.optim_wrapper.type = 'OptimWrapper'
    cfg.optim_wrapper.pop('loss_scale')
    optimizer = build_optim_wrapper(model, cfg.optim_wrapper).optimizer
    decay = {id(p): group['weight_decay'] for group in optimizer.param_groups
             for p in group['params']}
    assert decay[id(model.detector.backbone.stem.conv.bn.weight)] == 0
    assert decay[id(model.detector.bbox_head.multi_level_conv_cls[0].bias)] == 0
    assert decay[id(model.detector.backbone.stem.conv.conv.weight)] == 5e-4
    head = model.track_head.embed_head
    norm = next(m for m in head.modules() if isinstance(m, torch.nn.GroupNorm))
    assert decay[id(norm.weight)] == 5e-4
    assert decay[id(head.fc_embed.bias)] == 5e-4


def test_swin_configs_load_the_swin_authors_file(standins, tmp_path):
    """Their layout, converted on load by mmdet (convert_weights): every backbone weight
    but the per-output norms mmdet adds comes from the file."""
    from mmdet.models.backbones.swin import swin_converter
    config, path = LAYOUT_CONFIGS[SWIN_T]
    content = standins(SWIN_T)
    state = {k[len('backbone.'):]: v for k, v in swin_converter(file_state(content)).items()}
    backbone = part(build_as_train_py(config, tmp_path), path)
    outputs = tuple(k for k in backbone.state_dict() if k.startswith('norm'))
    loaded, unused = assert_loaded_from(backbone, state, skip=outputs)
    assert loaded == len(backbone.state_dict()) - len(outputs) == 181
    # the file's final norm (mmdet has one per output instead) and its shifted-window masks
    assert unused == sorted(['norm.bias', 'norm.weight'] + [k for k in state if 'attn_mask' in k])


def test_rsb_configs_load_the_mmcls_classifiers_backbone(standins, tmp_path):
    config, path = LAYOUT_CONFIGS[RESNET50_RSB]
    content = standins(RESNET50_RSB)
    state = {k.replace('backbone.', '', 1): v for k, v in file_state(content).items()}
    loaded, unused = assert_loaded_from(part(build_as_train_py(config, tmp_path), path), state)
    assert loaded == 265
    assert unused == ['head.fc.bias', 'head.fc.weight']  # not under backbone.: not loaded


@pytest.mark.parametrize('name', [PVT_T, PVTV2_B0])
def test_pvt_configs_load_the_pvt_authors_file(name, standins, tmp_path):
    """Their layout, converted on load by mmdet: every backbone weight comes from the file."""
    from mmdet.models.backbones.pvt import pvt_convert
    config, path = LAYOUT_CONFIGS[name]
    content = standins(name)
    backbone = part(build_as_train_py(config, tmp_path), path)
    loaded, unused = assert_loaded_from(backbone, pvt_convert(file_state(content)))
    assert loaded == len(backbone.state_dict()) and not unused
    assert {'head.weight', 'head.bias'} <= set(content)  # what the conversion leaves out


class Payload:
    """Any class: unpickling with ``weights_only`` refuses it."""


@pytest.mark.parametrize('url', ['https://download.example/payload-0123abcd.pth',
                                 'open-mmlab://resnet50_v1c'])
def test_initial_weights_load_with_weights_only(url, tmp_path, monkeypatch):
    """torch.hub loads URLs with weights_only=False; the zoo's loaders keep it on
    for initial weights as for checkpoints and name the file they refuse."""
    from mmengine.runner.checkpoint import CheckpointLoader

    from bdd100k_zoo.utils.checkpoint import CheckpointError
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    name = 'payload-0123abcd.pth' if url.startswith('https') else RESNET50_V1C
    path = tmp_path / 'hub' / 'checkpoints' / name
    path.parent.mkdir(parents=True)
    torch.save({'state_dict': {}, 'meta': Payload()}, str(path))
    with pytest.raises(CheckpointError, match=f'Refusing to load checkpoint .*{name}'):
        CheckpointLoader.load_checkpoint(url)


@pytest.mark.parametrize('config, name, wrong', [
    # a detector checkpoint's layout (backbone.conv1...) under the torchvision name
    ('configs/faster_rcnn/faster_rcnn_r50_1x_bdd100k.py', RESNET50, 'prefixed'),
    # torchvision's ResNet-50 (7x7 stem) under the ResNet-50-V1c name
    ('configs/semantic_fpn/semantic_fpn_r50_40k_bdd100k.py', RESNET50_V1C, RESNET50),
])
def test_a_stand_in_of_the_wrong_layout_fails(config, name, wrong, tmp_path, monkeypatch):
    from pretrained_standins import torchvision_resnet50_state_dict
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    state = torchvision_resnet50_state_dict()
    if wrong == 'prefixed':
        state = {f'backbone.{k}': v for k, v in state.items()}
    save_standin(name, str(tmp_path / 'hub' / 'checkpoints' / name), state)
    model = build_as_train_py(config, tmp_path / 'work')
    with pytest.raises(AssertionError, match='not in the file|differ'):
        assert_loaded_from(model.backbone, state)


# ---------------------------------------------------------------- segmentation families

@pytest.mark.parametrize('config', [c for c, (name, _) in SEG_INIT.items()
                                    if name in (RESNET101_V1C, HRNETV2_W48)])
def test_open_mmlab_imagenet_backbones_load_by_name(config, standins, tmp_path):
    """``open-mmlab://resnet101_v1c`` / ``msra/hrnetv2_w48``: every backbone weight from
    the file; only the ImageNet classifier stays unused."""
    name = SEG_INIT[config][0]
    state = file_state(standins(name))
    model = build_as_train_py(config, tmp_path)
    loaded, unused = assert_loaded_from(model.backbone, state)
    if name == RESNET101_V1C:
        assert loaded == 275 + 17 * 15  # R-50-V1c + 17 bottlenecks (3 convs, 3 BNs) in layer3
        assert unused == ['fc.bias', 'fc.weight']
    else:
        assert unused == sorted(HRNET_CLS_HEAD)
        assert model.backbone.stage4[0].branches[3][0].conv1.weight.shape[0] == 384  # W48


def test_swin_loads_mmseg_converted_file(standins, tmp_path):
    """The Swin-T file (``backbone.``-prefixed, as swin2mmseg.py writes it) fills every
    weight of the backbone but the per-output norms the segmentation model adds."""
    config = next(c for c, (name, _) in SEG_INIT.items() if name == SWIN_T_MMSEG)
    state = {k[len('backbone.'):]: v for k, v in file_state(standins(SWIN_T_MMSEG)).items()}
    model = build_as_train_py(config, tmp_path)
    out_norms = [k for k in model.backbone.state_dict() if re.match(r'norm\d\.', k)]
    assert len(out_norms) == 8
    loaded, unused = assert_loaded_from(model.backbone, state, skip=out_norms)
    assert unused == ['norm.bias', 'norm.weight']  # the classifier's final norm


@pytest.mark.parametrize('config', [c for c, (name, _) in SEG_INIT.items()
                                    if name in (VIT_B16_TIMM, DEIT_S)])
def test_vit_families_convert_timm_weights_on_load(config, standins, tmp_path):
    """``vit2mmseg://<timm / DeiT file>``: the ViT is filled from the published
    file, converted on load as mmseg's vit2mmseg.py converts it."""
    name = SEG_INIT[config][0]
    content = standins(name)
    timm = content.get('model', content)  # DeiT's files hold the weights under 'model'
    model = build_as_train_py(config, tmp_path)
    vit = model.backbone
    # the conversion, key by key: blocks -> layers, qkv -> in_proj, mlp -> ffn, norm -> ln
    last = len(vit.layers) - 1
    pairs = {'patch_embed.projection.weight': 'patch_embed.proj.weight',
             'cls_token': 'cls_token',
             'layers.0.attn.attn.in_proj_weight': 'blocks.0.attn.qkv.weight',
             'layers.0.attn.attn.out_proj.bias': 'blocks.0.attn.proj.bias',
             'layers.0.ln1.weight': 'blocks.0.norm1.weight',
             f'layers.{last}.ffn.layers.0.0.weight': f'blocks.{last}.mlp.fc1.weight',
             f'layers.{last}.ffn.layers.1.weight': f'blocks.{last}.mlp.fc2.weight'}
    own = vit.state_dict()
    for key, timm_key in pairs.items():
        assert torch.equal(own[key], timm[timm_key]), (key, timm_key)
    # and every other weight, through the converted names
    from mmengine.runner.checkpoint import CheckpointLoader
    converted = CheckpointLoader.load_checkpoint(vit.init_cfg['checkpoint'])
    pos = own['pos_embed']
    skip = ('pos_embed', ) if pos.shape != timm['pos_embed'].shape else ()
    loaded, unused = assert_loaded_from(vit, converted, skip=skip)
    assert loaded == len(own) - len(skip)
    # mmseg's ViT has no final norm here (final_norm=False) and a bias-free patch
    # embedding (patch_bias=False): timm's norm and patch bias stay unused
    assert unused == ([] if 'ln1.weight' in own else ['ln1.bias', 'ln1.weight']) + [
        'patch_embed.projection.bias'] + (['pos_embed'] if skip else [])
    if skip:  # resized to the model's patch grid, the class token's position kept
        assert torch.equal(pos[:, 0], timm['pos_embed'][:, 0])


def test_vit2mmseg_refuses_a_file_that_is_no_vit(tmp_path):
    from mmengine.runner.checkpoint import CheckpointLoader

    from bdd100k_zoo.utils.checkpoint import CheckpointError
    path = str(tmp_path / 'resnet.pth')
    save_standin(RESNET50_V1C, path)
    with pytest.raises(CheckpointError, match=f'^{path} is not a timm / DeiT ViT checkpoint'):
        CheckpointLoader.load_checkpoint(f'vit2mmseg://{path}')


# ---------------------------------------------------------------- pose families

@pytest.mark.parametrize('config', list(POSE_INIT), ids=lambda c: osp.basename(c)[:-3])
def test_pose_backbones_load_their_imagenet_files(config, standins, tmp_path):
    """torchvision's ResNets, mmcls's MobileNetV2 (``mmcls://``: its ``backbone.`` weights)
    and mmpose's HRNets fill every backbone weight; only the files' classifiers (and the
    ImageNet HRNet's stage-4 fusions into the lower branches, which a pose HRNet, one
    output, lacks) stay unused."""
    name = POSE_INIT[config][0]
    state = file_state(standins(name))
    if name == MOBILENET_V2:
        state = {k[len('backbone.'):]: v for k, v in state.items() if k.startswith('backbone.')}
    model = build_as_train_py(config, tmp_path)
    loaded, unused = assert_loaded_from(model.backbone, state)
    assert loaded > 100
    if name in (RESNET50, RESNET101):
        assert unused == ['fc.bias', 'fc.weight']
    elif name == MOBILENET_V2:
        assert unused == []
    else:
        assert unused and all(k.startswith(HRNET_HEAD) or re.match(r'stage4\.2\.fuse_layers\.[123]\.', k)
                              for k in unused), unused[:5]
