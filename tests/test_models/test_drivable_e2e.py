"""Semantic FPN for drivable area through tools/train.py and tools/test.py on
the real sample images with drivable masks derived from their sem-seg labels
(road = direct, sidewalk = alternative), tiny crops, CPU; the submission is
scored by the official tool."""
import json
import os.path as osp
import subprocess
import sys
import zipfile

import pytest

from helpers import REPO, run_tool, run_tool_here
from test_drivable import drivable_masks

CONFIG = 'configs/semantic_fpn/semantic_fpn_r50_40k_drivable_bdd100k.py'
CROP = '(128,256)'
TEST_SCALE = '(320,180)'


def options(mask_dir, img_dir, *extra):
    opts = ['model.pretrained=None', 'train_cfg.max_iters=2', 'train_cfg.val_interval=1000',
            'train_dataloader.batch_size=1',
            'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1',
            f'train_dataloader.dataset.pipeline.2.scale={TEST_SCALE}',
            f'train_dataloader.dataset.pipeline.3.crop_size={CROP}',
            f'model.data_preprocessor.size={CROP}']
    for split in ('train', 'val', 'test'):
        opts += [f'{split}_dataloader.num_workers=0',
                 f'{split}_dataloader.persistent_workers=False',
                 f'{split}_dataloader.dataset.data_root=',
                 f'{split}_dataloader.dataset.data_prefix.img_path={img_dir}',
                 f'{split}_dataloader.dataset.data_prefix.seg_map_path={mask_dir}']
        if split != 'train':
            opts.append(f'{split}_dataloader.dataset.pipeline.1.scale={TEST_SCALE}')
    return opts + list(extra)


@pytest.fixture(scope='module')
def sample(samples, tmp_path_factory):
    mask_dir = str(tmp_path_factory.mktemp('drivable_masks'))
    drivable_masks(mask_dir)
    return mask_dir, osp.join(samples, 'segment/images')


def test_train_and_test_scores_equal_the_official_tool(sample, tmp_path):
    log = run_tool('tools/train.py', CONFIG, '--work-dir', str(tmp_path / 'train'),
                   '--cfg-options', *options(*sample))
    assert 'Iter(train) [2/2]' in log and 'decode.loss_ce' in log
    prefix = str(tmp_path / 'sub' / 'drivable')
    run_tool('tools/test.py', CONFIG, str(tmp_path / 'train' / 'iter_2.pth'), '--work-dir',
             str(tmp_path / 'val'), '--outfile-prefix', prefix, '--show-dir', 'painted',
             '--cfg-options', *options(*sample))
    with open(tmp_path / 'val' / 'scores.json') as f:
        metrics = {k.split('/', 1)[1] if k.startswith('bdd100k/') else k: v
                   for k, v in json.load(f)['metrics'].items()}
    assert set(metrics) == {'mIoU', 'mAcc', 'fIoU', 'pAcc', 'IoU/direct', 'IoU/alternative'}
    out = tmp_path / 'official.json'
    subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', 'drivable', '-g', sample[0],
                    '-r', prefix, '--nproc', '1', '--out-file', str(out)], cwd=REPO,
                   check=True, capture_output=True)
    official = json.loads(out.read_text())
    assert metrics['mIoU'] == official['IoU'][-1]['AVERAGE']
    assert metrics['IoU/direct'] == official['IoU'][0]['direct']
    with zipfile.ZipFile(prefix + '.zip') as zf:
        assert sorted(zf.namelist()) == ['91051a8d-dc9c6637.png', '913b47b8-3cf1b886.png']
    painted = sorted((tmp_path / 'val' / 'painted').rglob('*.png'))
    assert len(painted) == 2


def test_browse_dataset_paints_the_drivable_ground_truth(sample, tmp_path):
    mask_dir, img_dir = sample
    run_tool_here('browse_dataset', osp.join(REPO, CONFIG), '--output-dir', str(tmp_path),
                  '--not-show', '--cfg-options', 'train_dataloader.dataset.data_root=',
                  f'train_dataloader.dataset.data_prefix.img_path={img_dir}',
                  f'train_dataloader.dataset.data_prefix.seg_map_path={mask_dir}')
    assert sorted(p.name for p in tmp_path.iterdir()) == ['91051a8d-dc9c6637.jpg',
                                                         '913b47b8-3cf1b886.jpg']
