"""ResNet-50 weather tagging through tools/train.py (an epoch, then resumed for a
second) and tools/test.py (and tools/dist_test.sh) on the real det_20 sample frame and its
attributes, at 64x64 crops on the CPU: scores and the submission, which the official Scalabel
evaluation scores alike."""
import json
import os
import os.path as osp
import random

import cv2
import pytest
from scalabel.eval.tagging import evaluate_tagging
from scalabel.label.io import load, load_label_config

from helpers import GOLDEN, SAMPLES, run_tool, run_tool_here

CONFIG = 'configs/resnet/resnet50_5x_640_weather_bdd100k.py'
ANN_FILE = osp.join(SAMPLES, 'detect', 'labels', 'annotation.json')


def tagging_options(ann_file=ANN_FILE, img_dir=osp.join(SAMPLES, 'detect', 'images')):
    """The config on the sample, one image a batch, 64x64 crops, no workers."""
    opts = ['default_hooks.logger.interval=1',
            f'val_evaluator.ann_file={ann_file}', f'test_evaluator.ann_file={ann_file}']
    for split in ('train', 'val', 'test'):
        opts += [f'{split}_dataloader.batch_size=1', f'{split}_dataloader.num_workers=0',
                 f'{split}_dataloader.persistent_workers=False',
                 f'{split}_dataloader.dataset.pipeline.1.crop_size=64',
                 f'{split}_dataloader.dataset.data_root=',
                 f'{split}_dataloader.dataset.ann_file={ann_file}',
                 f'{split}_dataloader.dataset.data_prefix={img_dir}']
    return opts


@pytest.fixture(scope='module')
def trained(samples, tmp_path_factory):
    """An epoch (one iteration, validated), then resumed for the second."""
    work_dir = str(tmp_path_factory.mktemp('tagging'))
    first = run_tool('tools/train.py', CONFIG, '--work-dir', work_dir, '--cfg-options',
                     *tagging_options(), 'train_cfg.max_epochs=1')
    second = run_tool('tools/train.py', CONFIG, '--work-dir', work_dir, '--resume',
                      '--cfg-options', *tagging_options(), 'train_cfg.max_epochs=2')
    return work_dir, first, second


def test_train_validates_and_resumes(trained):
    work_dir, first, second = trained
    assert 'Epoch(train) [1][1/1]' in first and 'loss:' in first
    assert 'Epoch(val) [1][1/1]' in first and 'bdd100k/accuracy:' in first
    assert 'resumed epoch: 1' in second and 'Epoch(train) [2][1/1]' in second
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))


def test_test_scores_and_submission_match_the_official_tool(trained, tmp_path):
    work_dir, _, _ = trained
    prefix = str(tmp_path / 'submission')
    # in this process: tools/dist_test.sh below starts tools/test.py as users do
    run_tool_here('test', CONFIG, osp.join(work_dir, 'epoch_2.pth'), '--work-dir',
                  str(tmp_path), '--outfile-prefix', prefix, '--cfg-options',
                  *tagging_options())
    with open(tmp_path / 'scores.json') as f:
        scores = json.load(f)
    assert scores['num_images'] == 1 and scores['submission'] == [prefix + '.json']
    with open(prefix + '.json') as f:
        submitted = json.load(f)
    assert [frame['name'] for frame in submitted] == ['913b47b8-3cf1b886.jpg']
    assert set(submitted[0]['attributes']) == {'weather'}
    # the official evaluation of the submission, with the weather part of the golden config
    config = load_label_config(osp.join(GOLDEN, 'tagging', 'tag_configs.toml'))
    config.categories = [c for c in config.categories if c.name == 'weather']
    official = evaluate_tagging(load(ANN_FILE).frames, load(prefix + '.json').frames, config,
                                nproc=1).summary()
    for key, value in official.items():
        assert scores['metrics'][key] == (None if value != value else value), key

    # two processes on the one frame: the sampler pads, the frame is scored and submitted once
    dist_prefix = str(tmp_path / 'dist' / 'submission')
    run_tool('tools/dist_test.sh', CONFIG, osp.join(work_dir, 'epoch_2.pth'), '2', '--work-dir',
             str(tmp_path / 'dist'), '--outfile-prefix', dist_prefix, '--cfg-options',
             *tagging_options(), env=dict(os.environ, PORT=str(random.randint(20000, 40000)),
                                          OMP_NUM_THREADS='1'))
    with open(tmp_path / 'dist' / 'scores.json') as f:
        assert json.load(f)['metrics'] == scores['metrics']
    with open(dist_prefix + '.json') as f:
        assert json.load(f) == submitted


def test_browse_dataset_paints_the_tag(tmp_path):
    options = [o for o in tagging_options() if o.startswith('train_dataloader.dataset.')]
    run_tool_here('browse_dataset', CONFIG, '--not-show', '--output-dir', str(tmp_path),
                  '--cfg-options', *options)
    painted = cv2.imread(str(tmp_path / '913b47b8-3cf1b886.jpg'))
    assert painted is not None and painted.shape == (64, 64, 3)  # the training crop
