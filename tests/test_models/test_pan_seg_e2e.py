"""Panoptic FPN through tools/train.py and tools/test.py on the real panoptic
sample, tiny scale, CPU; the val submission scored by the official tool,
painted predictions and ground truth (official palette)."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from helpers import REPO, run_tool, run_tool_here, sample_options

CONFIG = 'configs/panoptic_fpn/panoptic_fpn_r50_1x_bdd100k.py'


@pytest.fixture(scope='module')
def panoptic_sample(samples):
    return (osp.join(samples, 'panoptic/labels/annotation.json'),
            osp.join(samples, 'segment/images/'))


def options(sample, *extra):
    # the sample has one panoptic frame: two epochs make two iterations (no
    # validation); the untrained model scores nothing above 0.6, so keep its
    # best 5 detections whatever their score (the fusion head pastes them all)
    return sample_options(*sample) + ['train_cfg.max_epochs=2', 'train_cfg.val_begin=3',
                                      'model.test_cfg.rcnn.score_thr=0.0',
                                      'model.test_cfg.rcnn.max_per_img=5'] + list(extra)


@pytest.fixture(scope='module')
def trained(tmp_path_factory, panoptic_sample):
    work_dir = str(tmp_path_factory.mktemp('panoptic_fpn'))
    log = run_tool('tools/train.py', CONFIG, '--work-dir', work_dir, '--cfg-options',
                   *options(panoptic_sample))
    return work_dir, log


def bare(metrics):
    return {k.split('/', 1)[1] if k.startswith('bdd100k/') else k: v for k, v in metrics.items()}


def test_train_two_iterations_with_panoptic_losses(trained):
    work_dir, log = trained
    assert 'Epoch(train) [2][1/1]' in log
    assert 'loss_mask' in log and 'loss_seg' in log
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))


def test_val_scores_equal_the_official_tool_with_submission_and_painted_predictions(
        trained, panoptic_sample, tmp_path):
    """(The unlabeled test split and format_only are covered in test_pan_seg.py.)"""
    work_dir, _ = trained
    prefix = str(tmp_path / 'sub' / 'pan_seg')
    run_tool('tools/test.py', CONFIG, osp.join(work_dir, 'epoch_2.pth'), '--work-dir',
             str(tmp_path / 'val'), '--outfile-prefix', prefix, '--show-dir', 'painted',
             '--cfg-options', *options(panoptic_sample))
    with open(tmp_path / 'val' / 'scores.json') as f:
        metrics = bare(json.load(f)['metrics'])
    assert {'PQ', 'SQ', 'RQ', 'PQ/STUFF', 'PQ/THING', 'PQ/car', 'SQ/sky', 'RQ/road'} <= set(metrics)
    out = tmp_path / 'official.json'
    subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', 'pan_seg', '-g',
                    panoptic_sample[0], '-r', prefix + '.json', '--nproc', '1', '--out-file',
                    str(out)], cwd=REPO, check=True, capture_output=True)
    official = json.loads(out.read_text())
    for key in ('PQ', 'SQ', 'RQ'):
        assert metrics[key] == official[key][-1]['OVERALL'], key
    with open(prefix + '.json') as f:
        frames = json.load(f)
    assert [f['name'] for f in frames] == ['913b47b8-3cf1b886.jpg'] and frames[0]['labels']
    assert os.listdir(prefix + '_bitmasks') == ['913b47b8-3cf1b886.png']
    painted = [f for folder, _, files in os.walk(tmp_path / 'val') for f in files
               if osp.basename(folder) == 'painted']
    assert painted == ['913b47b8-3cf1b886.jpg']


def test_browse_dataset_paints_the_panoptic_ground_truth(panoptic_sample, tmp_path):
    """Things as instances and stuff as the semantic map, in the official palette."""
    import numpy as np
    from PIL import Image
    ann_file, img_dir = panoptic_sample
    run_tool_here('browse_dataset', osp.join(REPO, CONFIG), '--output-dir', str(tmp_path),
                  '--not-show', '--cfg-options', 'train_dataloader.dataset.data_root=',
                  f'train_dataloader.dataset.ann_file={ann_file}',
                  f'train_dataloader.dataset.data_prefix.img={img_dir}')
    painted = tmp_path / '913b47b8-3cf1b886.jpg'
    image = np.asarray(Image.open(painted)).astype(int)
    original = np.asarray(Image.open(osp.join(img_dir, painted.name))).astype(int)
    assert image.shape == original.shape == (720, 1280, 3)
    # mid-road (also when flipped) is blended towards BDD100K's road colour (128, 64, 128)
    (r, g, b), (r0, g0, b0) = image[600, 640], original[600, 640]
    assert b - g > b0 - g0 + 10 and r - g > r0 - g0 + 10


@pytest.mark.parametrize('name, epochs, milestones, heights', [
    ('panoptic_fpn_r50_3x_bdd100k', 36, [24, 33], [720, 696, 672, 648, 624, 600]),
    ('panoptic_fpn_r50_5x_bdd100k', 60, [40, 55], [720, 696, 672, 648, 624, 600]),
])
def test_longer_schedules_build(name, epochs, milestones, heights):
    cfg = Config.fromfile(osp.join(REPO, 'configs/panoptic_fpn', name + '.py'))
    assert cfg.train_cfg.max_epochs == epochs
    assert cfg.param_scheduler[1].milestones == milestones
    resize = cfg.train_dataloader.dataset.pipeline[2]
    assert resize.type == 'RandomChoiceResize' and [s[1] for s in resize.scales] == heights
    assert cfg.model.semantic_head.num_stuff_classes == 30
    assert cfg.model.roi_head.mask_head.num_classes == 10
