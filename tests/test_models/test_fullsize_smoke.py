"""Every zoo config at full size on the real samples, as a user's first run:
its own image scale, pipeline and model, from the stand-ins of its real
initial weights (no download), one training iteration, a checkpoint, a
resumed second iteration, then evaluation of that checkpoint through
``tools/test.py``. Only the data paths, batch size and worker processes
differ from the zoo config.

Slow on a CPU (minutes per config), so opt-in:

    .venv/bin/python -m pytest -m fullsize tests/test_fullsize_smoke.py -s

``-s`` shows each config's training iteration times. On GPUs
``tools/gpu_check.sh`` runs it; ``FULLSIZE_GPUS=2`` trains and tests with two
processes through ``tools/dist_train.sh`` / ``tools/dist_test.sh``.
"""
import json
import math
import os
import os.path as osp
import re

import pytest

from bdd100k_zoo.config import load_config
from bdd100k_zoo.tasks import config_task
from helpers import REPO, SAMPLES, run_tool
from pretrained_standins import (HRNETV2, MOBILENET_V2, POSE_INIT, RESNET50, RESNET50_V1C,
                                 RESNET101, ZOO_INIT, install_standins)

pytestmark = pytest.mark.fullsize
GPUS = int(os.environ.get('FULLSIZE_GPUS', '1'))

DETECT = osp.join(SAMPLES, 'detect')
TRACK = osp.join(SAMPLES, 'track')
SEGMENT = osp.join(SAMPLES, 'segment')
PANOPTIC = osp.join(SAMPLES, 'panoptic')
LOGGED_SOURCE = {RESNET50_V1C: 'open-mmlab://resnet50_v1c', MOBILENET_V2: 'mmcls://mobilenet_v2',
                 **{name: f'open-mmlab://msra/hrnetv2_w{w}' for w, name in HRNETV2.items()}}


@pytest.fixture(scope='module')
def torch_home(samples, tmp_path_factory):
    home = str(tmp_path_factory.mktemp('torch_home'))
    install_standins(home)
    return home


@pytest.fixture(scope='module')
def short_video(tmp_path_factory):
    """The first two frames of sample videos (one per process: each video
    is tested on one process), as a box_track_20 label folder."""
    labels = osp.join(TRACK, 'labels')
    out = tmp_path_factory.mktemp('short_video')
    for name in sorted(os.listdir(labels))[:GPUS]:
        with open(osp.join(labels, name)) as f:
            frames = json.load(f)[:2]
        with open(out / name, 'w') as f:
            json.dump(frames, f)
    return str(out)


def launch(tool, config, *args, env):
    """``tools/<tool>.py`` in one process, or ``tools/dist_<tool>.sh`` in GPUS."""
    if GPUS == 1:
        return run_tool(f'tools/{tool}.py', config, *args, env=env, timeout=3600)
    head = args[:1] if tool == 'test' else ()  # dist_test.sh CONFIG CHECKPOINT GPUS ...
    return run_tool(f'tools/dist_{tool}.sh', config, *head, str(GPUS), *args[len(head):],
                    env=dict(env, PORT=str(29500 + os.getpid() % 1000)), timeout=3600)


@pytest.fixture(scope='module')
def drivable_dir(samples, tmp_path_factory):
    """Drivable masks of the segment sample, derived from its sem-seg labels."""
    from test_drivable import drivable_masks
    folder = str(tmp_path_factory.mktemp('drivable'))
    drivable_masks(folder)
    return folder


@pytest.fixture(scope='module')
def pose_labels(samples, tmp_path_factory):
    """Pose labels made for a real frame's pedestrians (helpers.pose_sample)."""
    from helpers import pose_sample
    return pose_sample(tmp_path_factory.mktemp('pose'))


def loaders(*options):
    return [f'{split}_dataloader.{option}' for split in ('train', 'val', 'test')
            for option in options]


# tagging models train from scratch (as the earlier zoo's): one config, the largest crop
FROM_SCRATCH = ('configs/resnet/resnet50_5x_640_weather_bdd100k.py', )


def data_options(config, short_video, drivable_dir, pose_labels=None):
    """Only what points the config at the samples and fits a CPU."""
    if config in FROM_SCRATCH:  # the det_20 frame and its weather attribute
        ann, img = osp.join(DETECT, 'labels/annotation.json'), osp.join(DETECT, 'images')
        return loaders('batch_size=1', 'dataset.data_root=', f'dataset.ann_file={ann}',
                       f'dataset.data_prefix={img}') + [
            f'val_evaluator.ann_file={ann}', f'test_evaluator.ann_file={ann}']
    if config in POSE_INIT:  # the frame's 4 persons: a batch
        ann, img = pose_labels
        return ['train_dataloader.batch_size=4'] + loaders(
            'dataset.data_root=', f'dataset.ann_file={ann}', f'dataset.data_prefix.img={img}') + [
            f'val_evaluator.ann_file={ann}', f'test_evaluator.ann_file={ann}']
    if config.startswith('configs/panoptic_fpn'):  # one frame: a batch of one
        ann, img = osp.join(PANOPTIC, 'labels/annotation.json'), osp.join(SEGMENT, 'images/')
        return ['train_dataloader.batch_size=1'] + loaders(
            'dataset.data_root=', f'dataset.ann_file={ann}', f'dataset.data_prefix.img={img}') + [
            f'val_evaluator.ann_file={ann}', f'test_evaluator.ann_file={ann}']
    if config.endswith('drivable_bdd100k.py'):
        return ['train_cfg.max_iters=1', 'train_cfg.val_interval=1000',
                'default_hooks.checkpoint.interval=1'] + loaders(
            'dataset.data_root=', f'dataset.data_prefix.img_path={osp.join(SEGMENT, "images")}',
            f'dataset.data_prefix.seg_map_path={drivable_dir}')
    if config.startswith('configs/faster_rcnn'):
        ann, img = osp.join(DETECT, 'labels/annotation.json'), osp.join(DETECT, 'images/')
        return ['train_dataloader.batch_size=1'] + loaders(
            'dataset.data_root=', f'dataset.ann_file={ann}', f'dataset.data_prefix.img={img}') + [
            f'val_evaluator.ann_file={ann}', f'test_evaluator.ann_file={ann}']
    if config_task(load_config(osp.join(REPO, config)), config) == 'ins_seg':
        # the track sample's RLE labels: two frames, one batch of the config's 2
        ann, img = osp.join(TRACK, 'labels'), osp.join(TRACK, 'images/')
        return loaders('dataset.data_root=', f'dataset.ann_file={ann}',
                       f'dataset.data_prefix.img={img}', 'dataset.indices=2') + [
            f'val_evaluator.ann_file={ann}', f'test_evaluator.ann_file={ann}']
    if config.startswith('configs/semantic_fpn'):
        ann, img = osp.join(SEGMENT, 'labels/annotation.json'), osp.join(SEGMENT, 'images')
        return ['train_cfg.max_iters=1', 'train_cfg.val_interval=1000',
                'default_hooks.checkpoint.interval=1'] + loaders(
            'dataset.data_root=', f'dataset.ann_file={ann}', f'dataset.data_prefix.img_path={img}')
    img = osp.join(TRACK, 'images')
    videos = ['dataset.data_root=', f'dataset.ann_file={short_video}',
              f'dataset.data_prefix.img={img}', 'dataset.image_sources=[]']
    evaluators = [f'val_evaluator.ann_file={short_video}',
                  f'test_evaluator.ann_file={short_video}']
    if config.endswith('qdtrack_yolox_x_bdd100k.py'):
        # VideoMixDataset holds the video dataset one level down
        train = [f'train_dataloader.dataset.{o}' for o in videos]
        test = [f'{s}_dataloader.{o}' for s in ('val', 'test') for o in videos[:3]]
        return ['train_dataloader.batch_size=1'] + train + test + evaluators
    # QDTrack-FRCNN: the two frames are one batch of pairs
    return ['train_dataloader.batch_size=2'] + [
        f'train_dataloader.{o}' for o in videos] + [
        f'{s}_dataloader.{o}' for s in ('val', 'test') for o in videos[:3]] + evaluators


def iteration_times(log):
    return [float(t) for t in re.findall(r'\(train\).*?\stime: ([0-9.]+)', log)]


def losses(log):
    return [float(x) for x in re.findall(r'\(train\).*?\sloss: ([-+0-9.einaf]+)', log)]


@pytest.mark.parametrize('config', list(ZOO_INIT) + list(POSE_INIT) + list(FROM_SCRATCH))
def test_full_size_train_resume_test(config, torch_home, short_video, drivable_dir, pose_labels,
                                     tmp_path):
    env = dict(os.environ, TORCH_HOME=torch_home)
    work_dir = str(tmp_path / 'work')
    common = ['default_hooks.logger.interval=1'] + loaders(
        'num_workers=0', 'persistent_workers=False') + data_options(
        config, short_video, drivable_dir, pose_labels)
    iter_based = 'semantic_fpn' in config
    first = launch('train', config, '--work-dir', work_dir, '--cfg-options',
                   *common, *([] if iter_based else ['train_cfg.max_epochs=1']), env=env)
    file_name = {**ZOO_INIT, **POSE_INIT}.get(config, (None, ))[0]
    # mmengine logs where it loads the initial weights from, and what did not fit
    assert file_name is None or LOGGED_SOURCE.get(file_name, file_name) in first
    if file_name in (RESNET50, RESNET101, RESNET50_V1C):  # ImageNet ResNets: their classifier
        assert 'unexpected key in source state_dict: fc.weight, fc.bias' in first
    ckpt = 'iter_1.pth' if iter_based else 'epoch_1.pth'
    assert osp.isfile(osp.join(work_dir, ckpt))

    second = launch('train', config, '--work-dir', work_dir, '--resume',
                    '--cfg-options', *common,
                    'train_cfg.max_iters=2' if iter_based else 'train_cfg.max_epochs=2', env=env)
    assert f'Load checkpoint from {osp.join(work_dir, ckpt)}' in second \
        or 'resumed epoch: 1' in second or 'resumed iter: 1' in second, second[-3000:]
    final = osp.join(work_dir, 'iter_2.pth' if iter_based else 'epoch_2.pth')
    assert osp.isfile(final)

    out = tmp_path / 'test'
    launch('test', config, final, '--work-dir', str(out), '--cfg-options', *common, env=env)
    with open(out / 'scores.json') as f:
        metrics = json.load(f)['metrics']
    key = {'semantic': 'mIoU', 'qdtrack': 'mMOTA', 'panoptic': 'PQ', 'weather': 'accuracy'}.get(
        next((k for k in ('semantic', 'qdtrack', 'panoptic', 'weather') if k in config), ''),
        'AP')
    assert key in metrics

    times = iteration_times(first) + iteration_times(second)
    print(f'\n{config}: initial weights {file_name}; train iteration times (s): {times}; '
          f'losses: {losses(first) + losses(second)}')
    assert len(times) >= 2
    assert all(math.isfinite(x) for x in losses(first) + losses(second))
