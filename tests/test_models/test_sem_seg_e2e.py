"""Semantic FPN through tools/dist_train.sh and tools/test.py as users run them,
on the real sample frames (RLE labels), tiny crops, CPU: two training processes
(SyncBN, GPU-only, falls back to BN), one test process; the submission is scored
by the official evaluation."""
import json
import os
import os.path as osp
import random
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from PIL import Image

from helpers import REPO, run_tool, run_tool_here

CONFIG = 'configs/semantic_fpn/semantic_fpn_r50_40k_bdd100k.py'
CROP = '(128,256)'
TEST_SCALE = '(320,180)'


def sem_seg_options(ann_file, img_dir):
    """Point every split of the zoo config at the samples and shrink it for the
    CPU: no pretrained download, small crops and test scale, no workers."""
    opts = ['model.pretrained=None', 'train_cfg.max_iters=2', 'train_cfg.val_interval=1000',
            'train_dataloader.batch_size=1',
            'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1',
            f'train_dataloader.dataset.pipeline.2.crop_size={CROP}',
            f'model.data_preprocessor.size={CROP}']
    for split in ('train', 'val', 'test'):
        opts += [f'{split}_dataloader.num_workers=0',
                 f'{split}_dataloader.persistent_workers=False',
                 f'{split}_dataloader.dataset.data_root=',
                 f'{split}_dataloader.dataset.ann_file={ann_file}',
                 f'{split}_dataloader.dataset.data_prefix.img_path={img_dir}']
        if split != 'train':
            opts.append(f'{split}_dataloader.dataset.pipeline.1.scale={TEST_SCALE}')
    return opts


@pytest.fixture(scope='module')
def segment_sample(samples):
    root = osp.join(samples, 'segment')
    return osp.join(root, 'labels/annotation.json'), osp.join(root, 'images')


@pytest.fixture(scope='module')
def trained_segmentor(tmp_path_factory, segment_sample):
    work_dir = str(tmp_path_factory.mktemp('sem_seg_train'))
    env = dict(os.environ, PORT=str(random.randint(20000, 40000)), OMP_NUM_THREADS='1')
    log = run_tool('tools/dist_train.sh', CONFIG, '2', '--work-dir', work_dir, '--cfg-options',
                   *sem_seg_options(*segment_sample), env=env)
    return work_dir, log


def test_two_cpu_processes_train_with_bn_instead_of_syncbn(trained_segmentor):
    work_dir, log = trained_segmentor
    assert 'Iter(train) [2/2]' in log and 'decode.loss_ce' in log
    assert 'no GPU: SyncBN replaced by BN (statistics per process)' in log
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))


def official_gt_masks(ann_file, folder):
    """Ground-truth PNGs decoded by scalabel's own frame_to_mask."""
    from scalabel.eval.sem_seg import frame_to_mask
    from scalabel.label.io import load

    from bdd100k_zoo.labels import get_task_labels
    label_map = get_task_labels('sem_seg')
    os.makedirs(folder)
    for frame in load(ann_file, nprocs=0).frames:
        mask = frame_to_mask(frame, {c: i for i, c in enumerate(label_map.classes)},
                             label_map.config.scalabel.imageSize)
        Image.fromarray(mask).save(osp.join(folder, frame.name.replace('.jpg', '.png')))
    return folder


def test_val_scores_equal_the_official_evaluation_of_the_submission(
        trained_segmentor, segment_sample, tmp_path):
    work_dir, _ = trained_segmentor
    prefix = str(tmp_path / 'submission' / 'preds')
    # in this process: the test split's run below starts tools/test.py as users do
    run_tool_here('test', CONFIG, osp.join(work_dir, 'iter_2.pth'), '--work-dir',
                  str(tmp_path), '--outfile-prefix', prefix,
                  '--cfg-options', *sem_seg_options(*segment_sample))
    with open(tmp_path / 'scores.json') as f:
        metrics = json.load(f)['metrics']
    assert {'mIoU', 'mAcc', 'fIoU', 'pAcc', 'IoU/road', 'IoU/bicycle'} <= set(metrics)

    # the zip as the server takes it, scored offline by `python -m bdd100k.eval.run`
    pred_dir = str(tmp_path / 'unzipped')
    with zipfile.ZipFile(prefix + '.zip') as zf:
        assert sorted(zf.namelist()) == ['91051a8d-dc9c6637.png', '913b47b8-3cf1b886.png']
        zf.extractall(pred_dir)
    gt_dir = official_gt_masks(segment_sample[0], str(tmp_path / 'gt'))
    out = str(tmp_path / 'official.json')
    subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', 'sem_seg', '-g', gt_dir,
                    '-r', pred_dir, '--nproc', '1', '--out-file', out], cwd=REPO, check=True,
                   capture_output=True)
    with open(out) as f:
        result = json.load(f)
    assert metrics['mIoU'] == pytest.approx(result['IoU'][-1]['AVERAGE'], abs=1e-9)
    assert metrics['mAcc'] == pytest.approx(result['Acc'][-1]['AVERAGE'], abs=1e-9)
    assert metrics['fIoU'] == pytest.approx(result['fIoU'], abs=1e-9)
    assert metrics['pAcc'] == pytest.approx(result['pAcc'], abs=1e-9)
    for name, value in result['IoU'][0].items():
        assert metrics[f'IoU/{name}'] == pytest.approx(value, abs=1e-9), name


def test_test_split_submission_without_labels(trained_segmentor, segment_sample, tmp_path):
    work_dir, _ = trained_segmentor
    prefix, painted = str(tmp_path / 'sem_seg_test'), str(tmp_path / 'painted')
    _, img_dir = segment_sample
    run_tool('tools/test.py', CONFIG, osp.join(work_dir, 'iter_2.pth'), '--work-dir',
             str(tmp_path), '--format-only', '--outfile-prefix', prefix, '--show-dir', painted,
             '--cfg-options', *sem_seg_options(*segment_sample),
             'test_dataloader.dataset.ann_file=',
             f'test_dataloader.dataset.data_prefix.img_path={img_dir}')
    assert json.loads((tmp_path / 'scores.json').read_text())['metrics'] == {}  # no scores
    painted_files = sorted(f for _, _, files in os.walk(painted) for f in files
                           if f.endswith('.png'))
    assert len(painted_files) == 2  # every image, not mmseg's every 50th
    with zipfile.ZipFile(prefix + '.zip') as zf:
        assert sorted(zf.namelist()) == ['91051a8d-dc9c6637.png', '913b47b8-3cf1b886.png']
        for name in zf.namelist():
            with zf.open(name) as f:
                mask = np.asarray(Image.open(f))
            assert mask.shape == (720, 1280) and mask.dtype == np.uint8
            assert set(np.unique(mask)) <= set(range(19))
