"""tools/train.py, tools/test.py and the dist_*.sh launchers as users run them,
on the real BDD100K sample frames, tiny scale, CPU."""
import json
import os
import os.path as osp
import random

import pytest

from conftest import FRCNN_CONFIG as CONFIG
from conftest import SAMPLES, run_tool, sample_options


def test_train_two_iterations_and_checkpoint(trained_detector):
    work_dir, log = trained_detector
    assert 'Epoch(train) [2][1/1]' in log and 'loss_rpn_cls' in log
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))


def test_test_reports_the_official_keys_from_the_checkpoint(trained_detector, detect_sample,
                                                           tmp_path):
    work_dir, _ = trained_detector
    run_tool('tools/test.py', CONFIG, osp.join(work_dir, 'epoch_2.pth'), '--work-dir',
             str(tmp_path), '--show-dir', 'painted', '--cfg-options',
             *sample_options(*detect_sample))
    with open(tmp_path / 'scores.json') as f:
        metrics = json.load(f)['metrics']
    assert {'AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm',
            'ARl', 'AP/car'} <= set(metrics)
    painted = [f for _, _, files in os.walk(tmp_path) for f in files if f.endswith('.jpg')]
    assert painted == ['913b47b8-3cf1b886.jpg']


def test_two_process_cpu_training_and_submission(tmp_path):
    if not osp.exists(SAMPLES):
        pytest.skip('../shared/bdd100k_samples is absent')
    track = (osp.join(SAMPLES, 'track/labels'), osp.join(SAMPLES, 'track/images/'))
    env = dict(os.environ, PORT=str(random.randint(20000, 40000)), OMP_NUM_THREADS='1')
    opts = sample_options(*track, train_frames=2, test_frames=11)
    run_tool('tools/dist_train.sh', CONFIG, '2', '--work-dir', str(tmp_path), '--cfg-options',
             *opts, env=env)
    assert osp.isfile(tmp_path / 'epoch_1.pth')
    prefix = str(tmp_path / 'submission')
    run_tool('tools/dist_test.sh', CONFIG, str(tmp_path / 'epoch_1.pth'), '2', '--work-dir',
             str(tmp_path), '--format-only', '--outfile-prefix', prefix, '--cfg-options', *opts,
             env=env)
    with open(prefix + '.json') as f:
        frames = json.load(f)
    # 11 frames over 2 processes: the sampler pads one; none may be duplicated or lost
    names = [frame['name'] for frame in frames]
    assert len(names) == 11 and len(set(names)) == 11
