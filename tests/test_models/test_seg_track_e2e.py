"""QDTrack-MOTS through tools/train.py and tools/test.py on the real BDD100K tracking
sample (2 videos x 6 frames, labels with rle), tiny scale, CPU: scores and both
submission formats, checked with the official evaluation; in one process and in two."""
import json
import os
import os.path as osp
import random
import subprocess
import sys
import zipfile

import pytest

from helpers import SAMPLES, run_tool, run_tool_here
from test_box_track_e2e import TRACK_ALL, track_options, train_two_iterations

CONFIG = 'configs/qdtrack/qdtrack_mask_rcnn_r50_fpn_12e_mots_bdd100k.py'
VIDEOS = ('00091078-875c1f73', 'b1c66a42-6f7d68ca')


@pytest.fixture(scope='module')
def trained_mots(samples, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('mots'))
    return work_dir, train_two_iterations(CONFIG, work_dir)


def test_train_learns_masks(trained_mots):
    work_dir, log = trained_mots
    assert 'Epoch(train) [1][2/2]' in log
    for loss in ('loss_rpn_cls', 'loss_cls', 'loss_bbox', 'loss_mask', 'loss_track'):
        assert loss in log
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))


def test_video_test_scores_and_submissions_match_the_official_tool(trained_mots, tmp_path):
    work_dir, _ = trained_mots
    prefix = str(tmp_path / 'submission')
    # in this process: tools/dist_test.sh below starts tools/test.py as users do
    run_tool_here('test', CONFIG, osp.join(work_dir, 'epoch_1.pth'), '--work-dir',
                  str(tmp_path), '--outfile-prefix', prefix, '--cfg-options', *track_options(),
                  *TRACK_ALL, 'model.detector.test_cfg.rcnn.max_per_img=20')  # masks: full size
    with open(tmp_path / 'scores.json') as f:
        metrics = json.load(f)['metrics']
    assert {'mMOTA', 'mIDF1', 'mMOTP', 'MOTA', 'IDF1', 'MOTP', 'FP', 'FN', 'IDSw', 'MT', 'PT',
            'ML', 'FM', 'MOTA/car', 'IDF1/pedestrian'} <= set(metrics)
    assert metrics['FP'] > 0 and metrics['FN'] > 0  # random masks were tracked and scored
    with zipfile.ZipFile(prefix + '.zip') as z:
        assert sorted(z.namelist()) == [f'{v}.json' for v in VIDEOS]
        video = json.loads(z.read(f'{VIDEOS[1]}.json'))
    assert [frame['frameIndex'] for frame in video] == list(range(6))
    labels = [label for frame in video for label in frame['labels']]
    assert labels and all(label['rle']['size'] == [720, 1280] for label in labels if 'rle' in label)
    with zipfile.ZipFile(prefix + '_bitmasks.zip') as z:
        assert len(z.namelist()) == 12 and f'{VIDEOS[1]}/{VIDEOS[1]}-0000001.png' in z.namelist()
    out = tmp_path / 'official.json'
    subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', 'seg_track', '-g',
                    osp.join(SAMPLES, 'track/labels'), '-r', prefix, '--nproc', '1',
                    '--out-file', str(out), '-q'], check=True, capture_output=True)
    with open(out) as f:
        official = json.load(f)
    for key in ('mMOTA', 'mIDF1', 'mMOTP'):
        assert metrics[key] == pytest.approx(official[key], abs=1e-9), key

    # two processes (gloo): each video on one process; the same scores, both submissions
    dist_dir, dist_prefix = tmp_path / 'dist', str(tmp_path / 'dist_submission')
    run_tool('tools/dist_test.sh', CONFIG, osp.join(work_dir, 'epoch_1.pth'), '2',
             '--work-dir', str(dist_dir), '--outfile-prefix', dist_prefix, '--cfg-options',
             *track_options(), *TRACK_ALL, 'model.detector.test_cfg.rcnn.max_per_img=20',
             env=dict(os.environ, PORT=str(random.randint(20000, 40000)), OMP_NUM_THREADS='1'))
    with open(dist_dir / 'scores.json') as f:
        dist_metrics = json.load(f)['metrics']
    assert dist_metrics.keys() == metrics.keys()
    for key, value in metrics.items():  # None: a class the sample does not have
        assert dist_metrics[key] == (None if value is None else pytest.approx(value, rel=1e-6)), key
    for suffix in ('.zip', '_bitmasks.zip'):
        with zipfile.ZipFile(prefix + suffix) as one, zipfile.ZipFile(dist_prefix + suffix) as two:
            assert sorted(one.namelist()) == sorted(two.namelist())
