"""Issue #24: a zoo run always keeps one complete checkpoint to resume from.

mmengine 0.10's CheckpointHook removes the outdated checkpoint before it
writes the new one, in place: with ``max_keep_ckpts=1`` a kill or a full disk
during the save left nothing. Each test trains a small model with the zoo's
runner and hook (one linear layer: the hook is under test, not the model),
breaks a save, and resumes as ``tools/train.py --resume`` does. Run as a
script, this file is the training run that is killed during a save."""
import glob
import os
import os.path as osp
import signal
import subprocess
import sys
import uuid

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner.checkpoint import CheckpointLoader

from bdd100k_zoo.engine.hooks import BDD100KCheckpointHook
from bdd100k_zoo.engine.runner import BDD100KRunner

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from helpers import REPO, full_disk, load_zoo_configs  # noqa: E402

HOOK = 'mmengine.BDD100KCheckpointHook'
SIZE = 160  # weights + momentum: a checkpoint of about 200 KB, without momentum 100 KB


class Linear(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(SIZE, SIZE)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(torch.stack(inputs))
        return dict(loss=out.pow(2).mean()) if mode == 'loss' else out


class KillAtSave(Hook):
    """SIGKILL this process while the checkpoint of ``epoch`` is being saved."""

    def __init__(self, epoch):
        self.epoch = epoch

    def before_save_checkpoint(self, runner, checkpoint):
        if checkpoint['meta']['epoch'] == self.epoch:
            os.kill(os.getpid(), signal.SIGKILL)


def train(work_dir, epochs, resume=False, max_keep=1, custom_hooks=(), **hook_args):
    torch.manual_seed(0)
    data = [dict(inputs=torch.randn(SIZE)) for _ in range(4)]
    runner = BDD100KRunner(
        model=Linear(), work_dir=str(work_dir), experiment_name=uuid.uuid4().hex,
        train_dataloader=dict(dataset=data, batch_size=2, collate_fn=dict(type='pseudo_collate'),
                              sampler=dict(type='DefaultSampler', shuffle=False)),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9)),
        train_cfg=dict(by_epoch=True, max_epochs=epochs),
        default_hooks=dict(checkpoint=dict(type=HOOK, interval=1, max_keep_ckpts=max_keep,
                                          **hook_args)),
        custom_hooks=list(custom_hooks), resume=bool(resume),
        load_from=resume if isinstance(resume, str) else None, default_scope='mmdet')
    try:
        runner.train()
    finally:
        if runner._lock is not None:  # held for the process's life otherwise
            runner._lock.release()
    return runner


def checkpoints(work_dir):
    return sorted(osp.basename(p) for p in glob.glob(osp.join(str(work_dir), '*.pth')))


def assert_complete(path, epoch):
    checkpoint = CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert checkpoint['meta']['epoch'] == epoch and 'optimizer' in checkpoint


def last_checkpoint(work_dir):
    with open(osp.join(str(work_dir), 'last_checkpoint')) as f:
        return f.read()


def test_a_full_disk_during_a_save_keeps_the_last_complete_checkpoint(tmp_path):
    train(tmp_path, 2)
    assert checkpoints(tmp_path) == ['epoch_2.pth']
    with pytest.raises(OSError), full_disk(64 * 1024):  # epoch_3.pth does not fit
        train(tmp_path, 3, resume=True)
    # mmengine's hook removed epoch_2.pth first and left a truncated epoch_3.pth
    assert checkpoints(tmp_path) == ['epoch_2.pth']
    assert_complete(tmp_path / 'epoch_2.pth', 2)
    assert last_checkpoint(tmp_path) == str(tmp_path / 'epoch_2.pth')
    runner = train(tmp_path, 3, resume=True)  # disk space again: --resume
    assert runner.epoch == 3 and checkpoints(tmp_path) == ['epoch_3.pth']
    assert_complete(tmp_path / 'epoch_3.pth', 3)
    assert last_checkpoint(tmp_path) == str(tmp_path / 'epoch_3.pth')


def test_a_run_killed_during_a_save_resumes_from_the_last_complete_checkpoint(tmp_path):
    proc = subprocess.run([sys.executable, __file__, str(tmp_path)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-3000:]
    assert checkpoints(tmp_path) == ['epoch_2.pth']
    runner = train(tmp_path, 3, resume=True)
    assert runner.epoch == 3 and checkpoints(tmp_path) == ['epoch_3.pth']


def test_only_checkpoints_the_run_wrote_are_removed(tmp_path):
    """Resumed from another work dir's checkpoint, into a work dir holding a
    user's epoch_1.pth: mmengine's hook removed it (its step is in the
    resumed run's max_keep_ckpts bookkeeping)."""
    first, second = tmp_path / 'first', tmp_path / 'second'
    train(first, 2, max_keep=2)
    assert checkpoints(first) == ['epoch_1.pth', 'epoch_2.pth']
    second.mkdir()
    (second / 'epoch_1.pth').write_bytes(b'a user\'s file')
    train(second, 3, resume=str(first / 'epoch_2.pth'), max_keep=2)
    assert (second / 'epoch_1.pth').read_bytes() == b'a user\'s file'
    assert checkpoints(second) == ['epoch_1.pth', 'epoch_3.pth']
    assert checkpoints(first) == ['epoch_1.pth', 'epoch_2.pth']  # another run's: kept
    train(second, 5, resume=True, max_keep=2)  # its own epoch_3.pth goes in time
    assert checkpoints(second) == ['epoch_1.pth', 'epoch_4.pth', 'epoch_5.pth']


def test_a_new_best_checkpoint_is_written_before_the_old_one_is_removed(tmp_path):
    runner = train(tmp_path, 1, save_best='loss')  # no validation: its results below
    hook = next(h for h in runner.hooks if isinstance(h, BDD100KCheckpointHook))
    for epoch, loss in ((1, 0.5), (2, 0.3)):
        runner.train_loop._epoch = epoch
        hook.after_val_epoch(runner, dict(loss=loss))
    assert checkpoints(tmp_path) == ['best_loss_epoch_2.pth', 'epoch_2.pth']
    runner.train_loop._epoch = 3
    with pytest.raises(OSError), full_disk(64 * 1024):  # the new best one does not fit
        hook.after_val_epoch(runner, dict(loss=0.2))
    assert checkpoints(tmp_path) == ['best_loss_epoch_2.pth', 'epoch_2.pth']
    checkpoint = CheckpointLoader.load_checkpoint(str(tmp_path / 'best_loss_epoch_2.pth'))
    assert checkpoint['message_hub']['runtime_info']['best_score'] == 0.3


def test_every_zoo_config_keeps_a_complete_checkpoint():
    """mmseg's schedule bases hold the hooks, so a segmentation config takes
    the zoo's checkpoint hook through the zoo's schedules (configs/_base_/schedules/)."""
    configs = [path for path in sorted(glob.glob(osp.join(REPO, 'configs', '*', '*.py')))
               if '_base_' not in path]
    missing = [osp.relpath(path, REPO) for path, cfg in zip(configs, load_zoo_configs(configs))
               if cfg.default_hooks.checkpoint.type != HOOK]
    assert not missing, f'these configs keep mmengine\'s CheckpointHook (it removes the ' \
        f'outdated checkpoint before writing the new one): {missing}; add ' \
        f'default_hooks = dict(checkpoint=dict(type={HOOK!r}))'


if __name__ == '__main__':
    train(sys.argv[1], 3, custom_hooks=[KillAtSave(epoch=3)])
