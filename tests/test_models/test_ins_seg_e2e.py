"""Mask R-CNN through tools/train.py and tools/test.py on the real track
sample (RLE labels), tiny scale, CPU; the submission scored by the official tool."""
import json
import os.path as osp
import subprocess
import sys

import pytest

from helpers import REPO, parse_cfg_options, run_tool, sample_options

CONFIG = 'configs/mask_rcnn/mask_rcnn_r50_1x_bdd100k.py'
KEYS = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl']


@pytest.fixture(scope='module')
def track_sample(samples):
    return osp.join(samples, 'track/labels'), osp.join(samples, 'track/images/')


@pytest.fixture(scope='module')
def trained_mask_rcnn(tmp_path_factory, track_sample):
    work_dir = str(tmp_path_factory.mktemp('mask_rcnn'))
    # no validation after the epoch (~7 s): the test below scores the checkpoint
    opts = sample_options(*track_sample, train_frames=2, test_frames=2) + [
        'train_cfg.val_begin=2']
    log = run_tool('tools/train.py', CONFIG, '--work-dir', work_dir, '--cfg-options', *opts)
    return work_dir, log


def test_train_two_iterations_with_a_mask_loss(trained_mask_rcnn):
    work_dir, log = trained_mask_rcnn
    assert 'Epoch(train) [1][2/2]' in log and 'loss_mask' in log
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))


def test_test_scores_masks_and_boxes_and_the_submission_is_official(trained_mask_rcnn,
                                                                    track_sample, tmp_path):
    work_dir, _ = trained_mask_rcnn
    gt_dir = track_sample[0]
    prefix = str(tmp_path / 'sub' / 'mask_rcnn')
    run_tool('tools/test.py', CONFIG, osp.join(work_dir, 'epoch_1.pth'), '--work-dir',
             str(tmp_path), '--outfile-prefix', prefix, '--cfg-options',
             *sample_options(*track_sample, test_frames=2))
    with open(tmp_path / 'scores.json') as f:
        metrics = json.load(f)['metrics']
    assert set(KEYS) <= set(metrics) and {f'box_{k}' for k in KEYS} <= set(metrics)
    assert 'AP/car' in metrics and 'box_AP/car' in metrics

    with open(prefix + '.json') as f:
        frames = json.load(f)
    assert [f['name'] for f in frames] == ['00091078-875c1f73-0000166.jpg',
                                           '00091078-875c1f73-0000167.jpg']
    labels = [label for frame in frames for label in frame['labels']]
    assert labels and all({'id', 'category', 'score', 'box2d'} <= set(label) for label in labels)
    assert any('rle' in label for label in labels)
    assert sorted(p.name for p in (tmp_path / 'sub' / 'mask_rcnn_bitmasks').iterdir()) == [
        '00091078-875c1f73-0000166.png', '00091078-875c1f73-0000167.png']
    out = tmp_path / 'official.json'
    subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', 'ins_seg', '-g', gt_dir,
                    '-r', prefix + '.json', '--out-file', str(out), '--nproc', '1'],
                   check=True, capture_output=True)
    official = json.loads(out.read_text())
    for key in KEYS:
        assert official[key][-1]['OVERALL'] == pytest.approx(metrics[key], abs=1e-9), key


def test_painted_ground_truth_shows_the_masks(track_sample):
    """tools/test.py --show-dir: the ground-truth panel gets masks as the prediction
    panel does (the test pipeline loads boxes only; the metric reads the label file)."""
    from mmdet.registry import DATASETS
    from mmengine.registry import init_default_scope

    from bdd100k_zoo.config import load_config
    from bdd100k_zoo.visualization import paint_gt_masks
    init_default_scope('mmdet')
    cfg = load_config(osp.join(REPO, CONFIG), parse_cfg_options(
        sample_options(*track_sample, test_frames=2)))
    load = cfg.test_dataloader.dataset.pipeline[2]
    assert load.type == 'LoadAnnotations' and not load.get('with_mask')
    assert paint_gt_masks(cfg) and load.with_mask
    item = DATASETS.build(cfg.test_dataloader.dataset)[0]
    gt = item['data_samples'].gt_instances
    assert len(gt) > 0 and gt.masks.masks.shape == (len(gt), 720, 1280)
    assert gt.masks.masks.any(axis=(1, 2)).all()  # every instance has mask pixels
