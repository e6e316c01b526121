"""A training run killed mid-epoch and resumed ends exactly where the
uninterrupted run ends: weights, optimizer, LR schedule, iteration count."""
import os
import os.path as osp
import random
import signal
import subprocess
import sys
import time

import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader

import bdd100k_zoo  # noqa: F401  (safe checkpoint loading)

from helpers import FRCNN_CONFIG, REPO, SAMPLES, run_tool, sample_options

# the kill comes in the last epoch, after the one before it is saved: with 2 epochs of 4
# frames the resumed epoch shuffles its frames unlike the first (seed 0: [1, 3, 2, 0] after
# [0, 1, 3, 2]), so a resume that lost the sampler's epoch differs (with 3, epoch 3 shuffles
# as epoch 1 does)
EPOCHS = 2


def options():
    track = (osp.join(SAMPLES, 'track/labels'), osp.join(SAMPLES, 'track/images/'))
    return sample_options(*track, train_frames=4) + [
        f'train_cfg.max_epochs={EPOCHS}',
        # no validation: the loop validates after the last epoch whatever val_interval says,
        # and the checkpoints compared are saved before it
        'train_cfg.val_begin=100',
        # half the training size of sample_options, and fewer RoIs (on a CPU the RoI head's
        # cost is per box; still a random sample of the proposals): exactness does not
        # depend on them
        'train_dataloader.dataset.pipeline.2.scale=(160,90)',
        'model.train_cfg.rpn_proposal.max_per_img=200', 'model.train_cfg.rcnn.sampler.num=128',
        'randomness.seed=0', 'randomness.deterministic=True']


def command(launcher, work_dir, *extra):
    tool = ['bash', 'tools/dist_train.sh', FRCNN_CONFIG, '2'] if launcher == 'dist' else [
        sys.executable, 'tools/train.py', FRCNN_CONFIG]
    return tool + ['--work-dir', work_dir, *extra, '--cfg-options', *options()]


def saved_epochs(work_dir):
    path = osp.join(work_dir, 'last_checkpoint')
    if not osp.exists(path):
        return 0
    with open(path) as f:
        name = osp.basename(f.read().strip())
    return int(name[len('epoch_'):-len('.pth')]) if name else 0


def wait_for_the_lock_owner(work_dir, timeout=300):
    """torchrun's workers live in their own process group and outlive the kill
    until their collectives fail; the work-dir lock (held by rank 0) refuses a
    resume while they run, as it should: wait for them, as a user would."""
    from bdd100k_zoo.engine.runtime import WorkDirBusy, WorkDirLock
    deadline = time.time() + timeout
    while True:
        try:
            WorkDirLock(work_dir).acquire().release()
            return
        except WorkDirBusy:
            assert time.time() < deadline, f'the killed run held {work_dir} for {timeout} s'
            time.sleep(0.5)


def assert_same(a, b, where=''):
    if isinstance(a, torch.Tensor):
        assert torch.equal(a, b), where
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            assert_same(a[key], b[key], f'{where}.{key}')
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f'{where}[{i}]')
    else:
        assert a == b, where


@pytest.mark.parametrize('launcher', ['single', pytest.param('dist', marks=pytest.mark.dist)])
def test_killed_run_resumes_exactly(samples, tmp_path, launcher):
    env = dict(os.environ, PORT=str(random.randint(20000, 40000)), OMP_NUM_THREADS='1',
               PATH=osp.dirname(sys.executable) + os.pathsep + os.environ['PATH'])
    straight, broken = str(tmp_path / 'straight'), str(tmp_path / 'broken')
    run_tool(*command(launcher, straight)[1:], env=env)

    proc = subprocess.Popen(command(launcher, broken), cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.time() + 300
        while saved_epochs(broken) < EPOCHS - 1:
            assert proc.poll() is None and time.time() < deadline, 'run ended before the kill'
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)  # mid-epoch: the last epoch has started
    finally:
        proc.wait()
    assert not osp.exists(osp.join(broken, f'epoch_{EPOCHS}.pth'))
    wait_for_the_lock_owner(broken)

    run_tool(*command(launcher, broken, '--resume')[1:], env=env)
    a, b = (CheckpointLoader.load_checkpoint(osp.join(d, f'epoch_{EPOCHS}.pth'))
            for d in (straight, broken))
    for key in ('state_dict', 'optimizer', 'param_schedulers'):
        assert_same(a[key], b[key], key)
    assert (a['meta']['epoch'], a['meta']['iter']) == (b['meta']['epoch'], b['meta']['iter'])
    assert a['meta']['iter'] == EPOCHS * (4 if launcher == 'single' else 2)
