"""SimpleBaseline MobileNetV2 pose through tools/train.py (an epoch, then resumed for a
second), tools/test.py (also under tools/dist_test.sh) and tools/browse_dataset.py on a
real frame on the CPU. No BDD100K pose image is among the samples, so the pose labels are
made in the test for the pedestrians of a real MOT frame (``helpers.pose_sample``: 18
joints of a standing person inside each box); the scores and the submission are checked
against the official ``bdd100k.eval.run -t pose`` on the same files."""
import json
import os
import os.path as osp
import random
import subprocess
import sys

import cv2
import pytest

from helpers import pose_sample, run_tool, run_tool_here

CONFIG = 'configs/simplebaseline/simplebaseline_mobilenetv2_1x_256x192_bdd100k.py'


def pose_options(ann_file, img_dir):
    """The config on the sample: its 4 persons a batch, no workers, no initial weights
    (from scratch: nothing downloads), no flip test."""
    opts = ['default_hooks.logger.interval=1', 'model.backbone.init_cfg=None',
            'model.test_cfg.flip_test=False',
            f'val_evaluator.ann_file={ann_file}', f'test_evaluator.ann_file={ann_file}']
    for split in ('train', 'val', 'test'):
        opts += [f'{split}_dataloader.batch_size=4', f'{split}_dataloader.num_workers=0',
                 f'{split}_dataloader.persistent_workers=False',
                 f'{split}_dataloader.dataset.data_root=',
                 f'{split}_dataloader.dataset.ann_file={ann_file}',
                 f'{split}_dataloader.dataset.data_prefix.img={img_dir}']
    return opts


@pytest.fixture(scope='module')
def trained(samples, tmp_path_factory):
    """An epoch (one iteration, validated), then resumed for the second."""
    folder = tmp_path_factory.mktemp('pose')
    options = pose_options(*pose_sample(folder))
    work_dir = str(folder / 'work')
    first = run_tool('tools/train.py', CONFIG, '--work-dir', work_dir, '--cfg-options',
                     *options, 'train_cfg.max_epochs=1', 'train_cfg.val_interval=1')
    second = run_tool('tools/train.py', CONFIG, '--work-dir', work_dir, '--resume',
                      '--cfg-options', *options, 'train_cfg.max_epochs=2')
    return work_dir, options, first, second


def test_train_validates_and_resumes(trained):
    work_dir, _, first, second = trained
    assert 'Epoch(train) [1][1/1]' in first and 'loss_kpt:' in first
    assert 'Epoch(val) [1][1/1]' in first and 'bdd100k/AP:' in first
    assert 'resumed epoch: 1' in second and 'Epoch(train) [2][1/1]' in second
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))


def test_test_scores_and_submission_match_the_official_tool(trained, tmp_path):
    work_dir, options, _, _ = trained
    ann_file = options[3].split('=', 1)[1]
    prefix = str(tmp_path / 'submission')
    # in this process: tools/dist_test.sh below starts tools/test.py as users do
    run_tool_here('test', CONFIG, osp.join(work_dir, 'epoch_2.pth'), '--work-dir',
                  str(tmp_path), '--outfile-prefix', prefix, '--cfg-options', *options)
    with open(tmp_path / 'scores.json') as f:
        scores = json.load(f)
    assert scores['num_images'] == 1 and scores['submission'] == [prefix + '.json']
    with open(prefix + '.json') as f:
        submitted = json.load(f)
    assert [frame['name'] for frame in submitted] == ['00091078-875c1f73-0000166.jpg']
    assert 1 <= len(submitted[0]['labels']) <= 4  # OKS NMS may merge overlapping persons
    assert all(len(label['graph']['nodes']) == 18 for label in submitted[0]['labels'])
    subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', 'pose', '-g', ann_file,
                    '-r', prefix + '.json', '--nproc', '1', '--out-file',
                    str(tmp_path / 'official.json')], check=True, capture_output=True)
    with open(tmp_path / 'official.json') as f:
        official = json.load(f)
    for key, value in official.items():
        value = value[0]['OVERALL']
        assert scores['metrics'][key] == (None if value != value else value), key

    # two processes, each 2 of the 4 persons; OKS NMS off: every person comes back once
    # (none lost, none padded twice), the frame counted once
    dist_prefix = str(tmp_path / 'dist' / 'submission')
    run_tool('tools/dist_test.sh', CONFIG, osp.join(work_dir, 'epoch_2.pth'), '2', '--work-dir',
             str(tmp_path / 'dist'), '--outfile-prefix', dist_prefix, '--cfg-options', *options,
             'test_evaluator.nms_thr=None',
             env=dict(os.environ, PORT=str(random.randint(20000, 40000)), OMP_NUM_THREADS='1'))
    with open(tmp_path / 'dist' / 'scores.json') as f:
        dist_scores = json.load(f)
    assert dist_scores['num_images'] == 1 and dist_scores['metrics'].keys() == \
        scores['metrics'].keys()
    with open(dist_prefix + '.json') as f:
        dist_submitted = json.load(f)
    assert [(frame['name'], len(frame['labels'])) for frame in dist_submitted] == \
        [('00091078-875c1f73-0000166.jpg', 4)]


def test_browse_dataset_paints_the_skeleton(trained, tmp_path):
    _, options, _, _ = trained
    run_tool_here('browse_dataset', CONFIG, '--not-show', '--output-dir', str(tmp_path),
                  '--cfg-options',
                  *[o for o in options if o.startswith('train_dataloader.dataset.')])
    painted = sorted(p.name for p in tmp_path.iterdir())
    assert len(painted) == 4  # a crop per person, none painted over another
    image = cv2.imread(str(tmp_path / painted[0]))
    assert image is not None and image.shape == (256, 192, 3)  # the training crop
