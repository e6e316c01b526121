"""tools/train.py, tools/test.py and the dist_*.sh launchers as users run them,
on the real BDD100K sample frames, tiny scale, CPU."""
import json
import os
import os.path as osp
import random

import pytest

from helpers import FRCNN_CONFIG as CONFIG
from helpers import run_tool, run_tool_here, sample_options


def test_train_two_iterations_and_checkpoint(trained_detector):
    work_dir, log = trained_detector
    assert 'Epoch(train) [2][1/1]' in log and 'loss_rpn_cls' in log
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))


def test_the_console_shows_the_run_and_the_log_file_keeps_the_paperwork(trained_detector):
    work_dir, log = trained_detector
    assert 'pkg_resources is deprecated' not in log
    for paperwork in ('Config:\n', 'Hooks will be executed', 'System environment:'):
        assert paperwork not in log
    log_file = log.split('config, environment and hooks: ')[1].split()[0]
    with open(log_file) as f:
        kept = f.read()
    assert 'Config:\n' in kept and 'Hooks will be executed' in kept and 'model = dict(' in kept
    assert len(log.splitlines()) < 120  # two epochs, two validations (mmengine: 400+ lines)


def test_test_reports_the_official_keys_from_the_checkpoint(detector_test_run):
    """--data-root: the config's paths, moved to a BDD100K folder elsewhere."""
    work_dir, _, _, out = detector_test_run
    assert out.count('\nOVERALL ') == 1  # Scalabel's table, once
    line = [x for x in out.splitlines() if 'Epoch(test) [1/1]' in x and 'bdd100k/AP: ' in x][0]
    assert 'AP/car' not in line  # per-class scores: in the table and scores.json
    with open(osp.join(work_dir, 'scores.json')) as f:
        metrics = json.load(f)['metrics']
    assert {'AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm',
            'ARl', 'AP/car'} <= set(metrics)
    painted = [f for _, _, files in os.walk(work_dir) for f in files if f.endswith('.jpg')]
    assert painted == ['913b47b8-3cf1b886.jpg']


@pytest.mark.dist
def test_distributed_training_and_evaluation_lose_nothing(samples, tmp_path):
    """Two CPU processes train; 1, 2 and 3 processes then evaluate 11 frames
    (uneven splits: the samplers pad) to identical scores and submissions
    with exactly one entry per frame."""
    track = (osp.join(samples, 'track/labels'), osp.join(samples, 'track/images/'))
    env = dict(os.environ, PORT=str(random.randint(20000, 40000)), OMP_NUM_THREADS='1')
    opts = sample_options(*track, train_frames=2, test_frames=11)
    run_tool('tools/dist_train.sh', CONFIG, '2', '--work-dir', str(tmp_path), '--cfg-options',
             *opts, env=env)
    ckpt = str(tmp_path / 'epoch_1.pth')
    assert osp.isfile(ckpt)
    scores, submissions = [], []
    for procs in (1, 2, 3):
        work_dir = tmp_path / f'test{procs}'
        show = ['--show-dir', str(tmp_path / 'painted')] if procs == 3 else []
        run_tool('tools/dist_test.sh', CONFIG, ckpt, str(procs), '--work-dir', str(work_dir),
                 '--outfile-prefix', str(work_dir / 'preds'), *show, '--cfg-options', *opts,
                 env=env)
        scores.append(json.loads((work_dir / 'scores.json').read_text())['metrics'])
        submissions.append(json.loads((work_dir / 'preds.json').read_text()))
    names = [frame['name'] for frame in submissions[0]]
    assert len(names) == 11 and len(set(names)) == 11
    # every process painted its own frames (mmengine's visualizers paint on rank 0 only)
    painted = [f for _, _, files in os.walk(tmp_path / 'painted') for f in files]
    assert sorted(painted) == sorted(names)
    by_name = [sorted(sub, key=lambda frame: frame['name']) for sub in submissions]
    assert by_name[0] == by_name[1] == by_name[2]
    assert scores[0] == scores[1] == scores[2]


def test_format_only_writes_the_test_split_submission(samples, trained_detector, tmp_path,
                                                      capfd):
    """The test split has no labels: list its images, write, score nothing."""
    work_dir, _ = trained_detector
    opts = sample_options('', osp.join(samples, 'segment/images/'))
    opts = [o for o in opts if not o.startswith(('val_evaluator', 'test_evaluator'))]
    prefix = str(tmp_path / 'det_test')
    # in this process: detector_test_run starts tools/test.py as users do
    run_tool_here('test', CONFIG, osp.join(work_dir, 'epoch_2.pth'), '--work-dir',
                  str(tmp_path), '--format-only', '--outfile-prefix', prefix,
                  '--cfg-options', *opts)
    out = ''.join(capfd.readouterr())
    frames = json.loads(open(prefix + '.json').read())
    assert sorted(f['name'] for f in frames) == ['91051a8d-dc9c6637.jpg', '913b47b8-3cf1b886.jpg']
    assert 'submission of 2 frames written' in out
    # no scores, but the run and its submission are written down (the run with scores:
    # test_zoo_tools)
    run = json.loads((tmp_path / 'scores.json').read_text())
    assert run['metrics'] == {} and run['submission'] == [prefix + '.json']
    assert run['show_dir'] is None
