"""Checkpoints for evaluation and inference: strict loading (a checkpoint that
does not fit the config is an error naming both), checkpoints without meta,
and checkpoints of the earlier zoo (bdd100k-models, written by mmcv 1.x)."""
import glob
import json
import os.path as osp
import sys
import time
from collections import OrderedDict
from unittest import mock

import cv2
import numpy as np
import pytest
import torch

from helpers import SAMPLES, load_tool, random_weights, sample_options
from test_infer import CONFIGS, infer, scalabel_frames

from bdd100k_zoo.labels import DET_CLASSES, SEM_SEG_CLASSES, config_labels, get_task_labels
from bdd100k_zoo.tasks import TASK_SPECS, config_task
from bdd100k_zoo.utils.checkpoint import CheckpointMismatchError


@pytest.fixture(scope='module')
def det_weights(samples, tmp_path_factory):
    return random_weights(CONFIGS['det'], str(tmp_path_factory.mktemp('ckpt') / 'det.pth'))


def with_classes(src: str, dst: str, num_classes: int) -> str:
    """The detector's checkpoint cut to another class count (as a model
    trained on another class list would be)."""
    state_dict = torch.load(src, weights_only=True)['state_dict']
    state_dict['roi_head.bbox_head.fc_cls.weight'] = \
        state_dict['roi_head.bbox_head.fc_cls.weight'][:num_classes + 1]
    state_dict['roi_head.bbox_head.fc_cls.bias'] = \
        state_dict['roi_head.bbox_head.fc_cls.bias'][:num_classes + 1]
    state_dict['roi_head.bbox_head.fc_reg.weight'] = \
        state_dict['roi_head.bbox_head.fc_reg.weight'][:4 * num_classes]
    state_dict['roi_head.bbox_head.fc_reg.bias'] = \
        state_dict['roi_head.bbox_head.fc_reg.bias'][:4 * num_classes]
    torch.save(dict(state_dict=state_dict, meta=dict(epoch=12)), dst)
    return dst


def test_tools_test_refuses_a_checkpoint_with_another_class_count(det_weights, tmp_path,
                                                                   detect_sample):
    ckpt = with_classes(det_weights, str(tmp_path / 'eight_classes.pth'), 8)
    argv = ['test.py', CONFIGS['det'], ckpt, '--work-dir', str(tmp_path / 'work'),
            '--cfg-options', *sample_options(*detect_sample)]
    with mock.patch.object(sys, 'argv', argv), pytest.raises(CheckpointMismatchError) as error:
        load_tool('test').main()
    message = str(error.value)
    assert ckpt in message and CONFIGS['det'] in message
    assert 'roi_head.bbox_head.fc_cls.bias (9,) vs (11,)' in message
    assert not osp.exists(tmp_path / 'work' / 'scores.json')


def test_infer_refuses_a_checkpoint_of_another_task(det_weights, tmp_path):
    with pytest.raises(CheckpointMismatchError,
                       match=r'(?s)det\.pth does not fit the model of configs/semantic_fpn/.*'
                             r'missing keys: backbone\.stem\.0\.weight.*'
                             r'unexpected keys: backbone\.bn1\.bias.*'):
        infer('sem_seg', det_weights, osp.join(SAMPLES, 'segment/images'), tmp_path)
    assert not osp.exists(tmp_path / 'predictions.json')


def mmcv1_checkpoint(state_dict: dict, path: str, meta: dict = None, optimizer=True) -> str:
    """Written as mmcv 1.x's ``save_checkpoint`` wrote bdd100k-models' files:
    an ``OrderedDict`` state dict carrying ``_metadata``, the runner's meta
    (versions, config text, epoch / iter, ``hook_msgs`` with the best score as
    the numpy float the evaluation returned) and the SGD state. ``meta=None``:
    the published form, weights only."""
    weights = OrderedDict((k, v.clone()) for k, v in state_dict.items())
    weights._metadata = OrderedDict((k.rsplit('.', 1)[0], dict(version=1)) for k in weights)
    checkpoint = dict(state_dict=weights)
    if meta is not None:
        checkpoint['meta'] = dict(
            env_info='sys.platform: linux\nPython: 3.8.12\nCUDA available: True',
            config='model = dict(type=...)\n', seed=0, mmcv_version='1.4.0',
            time=time.asctime(), hook_msgs=dict(last_ckpt='work_dirs/epoch_12.pth',
                                                best_score=np.float64(0.312)),
            epoch=12, iter=105000, **meta)
        if optimizer:
            checkpoint['optimizer'] = dict(
                state={0: dict(momentum_buffer=torch.zeros(3))},
                param_groups=[dict(lr=0.0002, momentum=0.9, weight_decay=0.0001, params=[0])])
    torch.save(checkpoint, path)
    return path


def test_weights_only_loads_mmcv1_checkpoints_with_only_numpy_beyond_torch(det_weights,
                                                                            tmp_path):
    state_dict = torch.load(det_weights, weights_only=True)['state_dict']
    path = mmcv1_checkpoint(state_dict, str(tmp_path / 'old.pth'),
                            dict(mmdet_version='2.19.0+1b2a3c4', CLASSES=DET_CLASSES))
    registered = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()  # what torch alone refuses
    try:
        needed = set(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    finally:
        torch.serialization.add_safe_globals(registered)
    # the numpy float of hook_msgs.best_score: on bdd100k_zoo.utils.checkpoint's allow-list
    assert needed and all(name.startswith('numpy.') for name in needed), needed
    from mmengine.runner.checkpoint import CheckpointLoader
    loaded = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    assert loaded['meta']['CLASSES'] == DET_CLASSES


def test_old_zoo_detector_runs_unconverted_and_converts(det_weights, tmp_path):
    state_dict = torch.load(det_weights, weights_only=True)['state_dict']
    full = mmcv1_checkpoint(state_dict, str(tmp_path / 'faster_rcnn_r50_fpn_1x_det_bdd100k.pth'),
                            dict(mmdet_version='2.19.0+1b2a3c4', CLASSES=DET_CLASSES))
    published = mmcv1_checkpoint(state_dict, str(tmp_path / 'published.pth'))
    image = osp.join(SAMPLES, 'detect/images/913b47b8-3cf1b886.jpg')
    infer('det', published, image, tmp_path / 'out', '--no-paint')
    frames = scalabel_frames(tmp_path / 'out/predictions.json')
    assert frames[0].labels and {l.category for l in frames[0].labels} <= set(DET_CLASSES)

    load_tool('convert_checkpoint').main([CONFIGS['det'], full, str(tmp_path / 'new.pth')])
    registered = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()  # loads with torch's allow-list alone
    try:
        new = torch.load(tmp_path / 'new.pth', weights_only=True)
    finally:
        torch.serialization.add_safe_globals(registered)
    assert set(new) == {'meta', 'state_dict'}
    assert new['meta']['dataset_meta']['classes'] == list(DET_CLASSES)
    assert new['meta']['converted_from']['mmdet_version'] == '2.19.0+1b2a3c4'
    assert all(torch.equal(new['state_dict'][k], v) for k, v in state_dict.items())
    assert len(new['state_dict']) == len(state_dict)


def test_old_zoo_semantic_fpn_converts_with_its_palette(samples, tmp_path):
    state_dict = torch.load(random_weights(CONFIGS['sem_seg'], str(tmp_path / 'seg.pth')),
                            weights_only=True)['state_dict']
    palette = [list(c) for c in get_task_labels('sem_seg').palette]
    old = mmcv1_checkpoint(state_dict, str(tmp_path / 'fpn_r50_512x1024_40k_sem_seg_bdd100k.pth'),
                           dict(mmseg_version='0.20.2', CLASSES=SEM_SEG_CLASSES,
                                PALETTE=palette))
    new = load_tool('convert_checkpoint').convert(CONFIGS['sem_seg'], old,
                                                   str(tmp_path / 'new.pth'))
    assert new['meta']['dataset_meta'] == dict(classes=list(SEM_SEG_CLASSES), palette=palette)
    with pytest.raises(CheckpointMismatchError, match=r'does not fit the model of configs/faster'):
        load_tool('convert_checkpoint').convert(CONFIGS['det'], old, str(tmp_path / 'x.pth'))
    assert not osp.exists(tmp_path / 'x.pth')


def test_infer_reads_classes_from_a_tools_train_checkpoint(trained_detector, tmp_path):
    work_dir, _ = trained_detector  # meta.dataset_meta and mmengine's objects, as trained
    ckpt = osp.join(work_dir, 'epoch_2.pth')
    summary = infer('det', ckpt, osp.join(SAMPLES, 'detect/images'), tmp_path, '--no-paint')
    assert summary.frames == 1
    from mmengine.runner.checkpoint import CheckpointLoader
    meta = CheckpointLoader.load_checkpoint(ckpt)['meta']
    assert tuple(meta['dataset_meta']['classes']) == DET_CLASSES
    assert scalabel_frames(tmp_path / 'predictions.json')[0].name == '913b47b8-3cf1b886.jpg'


# each task's first zoo model (the smallest of the original families: CPU time)
FIRST_CONFIG = {'det': 'faster_rcnn/faster_rcnn_r50_1x', 'ins_seg': 'mask_rcnn/mask_rcnn_r50_1x',
                'pan_seg': 'panoptic_fpn/panoptic_fpn_r50_1x',
                'sem_seg': 'semantic_fpn/semantic_fpn_r50_40k',
                'drivable': 'semantic_fpn/semantic_fpn_r50_40k_drivable',
                'box_track': 'qdtrack/qdtrack_frcnn_r50_fpn_1x',
                'pose': 'simplebaseline/simplebaseline_mobilenetv2_1x_256x192'}


def first_config(task: str) -> str:
    """The task's first zoo model; a task added later: its first config by name."""
    from helpers import load_zoo_config
    if task in FIRST_CONFIG:
        path = f'configs/{FIRST_CONFIG[task]}_bdd100k.py'
        assert config_task(load_zoo_config(path)) == task
        return path
    return next(path for path in sorted(glob.glob('configs/*/*_bdd100k.py'))
                if config_task(load_zoo_config(path)) == task)


def small_scale(config: str) -> list:
    """--cfg-options that resize every test image to 320x180 (CPU time)."""
    from mmengine.config import Config
    options = []
    for i, transform in enumerate(Config.fromfile(config).test_dataloader.dataset.pipeline):
        for key, t in [(f'{i}', transform)] + [(f'{i}.transforms.{j}', t) for j, t in
                                               enumerate(transform.get('transforms', []))]:
            if t['type'] == 'Resize':
                options.append(f'test_dataloader.dataset.pipeline.{key}.scale=(320,180)')
    return options


@pytest.mark.parametrize('task', TASK_SPECS)
def test_every_task_converts_and_infers(task, samples, tmp_path):
    """Every task of the registry: an earlier-zoo file of its first config
    (mmcv 1.x, no meta) converts, and tools/infer.py runs the converted one,
    writing the task's submission (every frame with its ``labels``, none
    predicted or some) and the painting."""
    from bdd100k_zoo.apis import build_inferencer
    config = first_config(task)
    torch.manual_seed(0)
    state_dict = build_inferencer(config, device='cpu').model.state_dict()
    old = mmcv1_checkpoint(state_dict, str(tmp_path / 'old.pth'))
    load_tool('convert_checkpoint').main([config, old, str(tmp_path / 'new.pth')])
    new = torch.load(tmp_path / 'new.pth', weights_only=True)
    from helpers import load_zoo_config
    assert tuple(new['meta']['dataset_meta']['classes']) == \
        config_labels(load_zoo_config(config), task).classes  # a tagging model: its tag's
    image = osp.join(SAMPLES, 'detect/images/913b47b8-3cf1b886.jpg')
    out = tmp_path / 'out'
    options = small_scale(config)  # none for a classifier: it sees a centre crop
    summary = load_tool('infer').main([config, str(tmp_path / 'new.pth'), image, '--out-dir',
                                       str(out)] + (['--cfg-options', *options] if options else []))
    assert summary.frames == 1
    assert str(out / 'predictions.json') in summary.outputs
    assert str(out / 'painted') in summary.outputs
    assert all(osp.exists(path) for path in summary.outputs)
    with open(out / 'predictions.json') as f:
        frames = json.load(f)
    assert [frame['name'] for frame in frames] == [osp.basename(image)]
    assert all(isinstance(frame['labels'], list) for frame in frames)
    [painted] = glob.glob(str(out / 'painted' / '**' / '913b47b8-3cf1b886.jpg'), recursive=True)
    assert cv2.imread(painted).shape == (720, 1280, 3)


def qdtrack_layout(state_dict: dict) -> dict:
    """mmdet 3.x QDTrack weights under SysCV/qdtrack's (mmdet 2.x) names, as
    ``qdtrack-frcnn_r50_fpn_12e_bdd100k.pth`` holds them: the detector's keys
    without a prefix, the embedding head inside the RoI head."""
    old = OrderedDict()
    for key, value in state_dict.items():
        if key.startswith('detector.'):
            old[key[len('detector.'):]] = value
        else:
            assert key.startswith('track_head.embed_head.'), key
            old['roi_head.track_head.' + key[len('track_head.embed_head.'):]] = value
    return old


def test_old_zoo_qdtrack_converts_onto_mmdet3_qdtrack(samples, tmp_path):
    from bdd100k_zoo.apis import build_inferencer
    config = CONFIGS['box_track']
    torch.manual_seed(0)
    state_dict = build_inferencer(config, device='cpu').model.state_dict()
    old_weights = qdtrack_layout(state_dict)
    assert {'roi_head.track_head.fc_embed.weight', 'roi_head.bbox_head.fc_cls.weight',
            'backbone.conv1.weight', 'rpn_head.rpn_conv.weight'} <= set(old_weights)
    classes = get_task_labels('box_track').classes
    old = mmcv1_checkpoint(old_weights, str(tmp_path / 'qdtrack-frcnn_r50_fpn_12e_bdd100k.pth'),
                           dict(mmdet_version='2.14.0', CLASSES=classes))
    new = load_tool('convert_checkpoint').convert(config, old, str(tmp_path / 'new.pth'))
    assert set(new['state_dict']) == set(state_dict)
    assert all(torch.equal(new['state_dict'][k], v) for k, v in state_dict.items())
    assert tuple(new['meta']['dataset_meta']['classes']) == classes
    assert new['meta']['converted_from']['mmdet_version'] == '2.14.0'
    # a detector file is no QDTrack one: refused, naming the config
    detector = OrderedDict((k, v) for k, v in old_weights.items() if 'track_head' not in k)
    only_detector = mmcv1_checkpoint(detector, str(tmp_path / 'frcnn.pth'))
    with pytest.raises(CheckpointMismatchError,
                       match=r'does not fit the model of configs/qdtrack/'):
        load_tool('convert_checkpoint').convert(config, only_detector, str(tmp_path / 'x.pth'))
    assert not osp.exists(tmp_path / 'x.pth')


@pytest.mark.parametrize('task,version', [('drivable', dict(mmseg_version='0.20.2')),
                                          ('pan_seg', dict(mmdet_version='2.19.0'))])
def test_old_zoo_drivable_and_panoptic_files_convert(task, version, samples, tmp_path):
    """bdd100k-models' drivable (mmseg 0.x) and pan_seg (mmdet 2.x) files, with
    their runner meta: same weight names, the classes from the file."""
    from bdd100k_zoo.apis import build_inferencer
    config = first_config(task)
    torch.manual_seed(0)
    state_dict = build_inferencer(config, device='cpu').model.state_dict()
    labels = get_task_labels(task)
    old = mmcv1_checkpoint(state_dict, str(tmp_path / 'old.pth'),
                           dict(version, CLASSES=labels.classes,
                                PALETTE=[list(c) for c in labels.palette]))
    new = load_tool('convert_checkpoint').convert(config, old, str(tmp_path / 'new.pth'))
    assert tuple(new['meta']['dataset_meta']['classes']) == labels.classes
    assert all(torch.equal(new['state_dict'][k], v) for k, v in state_dict.items())
    assert len(new['state_dict']) == len(state_dict)
