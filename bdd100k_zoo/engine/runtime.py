"""What :class:`~bdd100k_zoo.engine.runner.BDD100KRunner` adds to mmengine's Runner.

The stock tools assume CUDA: mmengine initialises NCCL, pins a GPU per rank
and gives DDP ``device_ids``. On CPU-only machines (CI, laptops)
:func:`prepare_config` switches to gloo and device-less DDP, and mixed
precision (``AmpOptimWrapper``, which mmengine builds only for accelerators)
to fp32, so the same configs, commands and ``dist_*.sh`` launchers work there
too. Where CUDA exists nothing changes, but a run stops at once if mmcv was
built without its CUDA ops (:func:`check_mmcv_cuda_ops`).
:func:`find_resume_checkpoint` and :class:`WorkDirLock` keep ``--resume`` and
concurrent runs from overwriting checkpoints.
"""
import fcntl
import json
import logging
import os
import os.path as osp
import re
import socket
import sys
import time
from typing import Optional

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.dist import is_distributed
from mmengine.logging import print_log
from mmengine.runner import find_latest_checkpoint


def check_launcher(launcher: str) -> None:
    """``--launcher pytorch`` needs the environment torchrun sets up; say how to
    launch instead of failing with ``KeyError: 'RANK'`` deep in mmengine."""
    if launcher == 'pytorch' and 'RANK' not in os.environ:
        raise RuntimeError(
            '--launcher pytorch expects its processes to be started by torchrun, which sets '
            'RANK / WORLD_SIZE / MASTER_ADDR (not set here). Launch with '
            '`bash tools/dist_train.sh CONFIG NUM_PROCS [args]` (dist_test.sh for tools/test.py) '
            'or `python -m torch.distributed.run --nproc_per_node NUM_PROCS tools/train.py '
            'CONFIG --launcher pytorch`; for one process, drop --launcher.')


def _sync_bn_to_bn(node) -> int:
    """Turn every ``norm_cfg`` of type SyncBN in a model config into BN; returns how many."""
    count = 0
    if isinstance(node, dict):
        if node.get('type') in ('SyncBN', 'mmseg.SyncBN', 'mmdet.SyncBN'):
            node['type'] = 'BN'
            count += 1
        for value in node.values():
            count += _sync_bn_to_bn(value)
    elif isinstance(node, (list, tuple)):
        count += sum(_sync_bn_to_bn(value) for value in node)
    return count


def prepare_config(cfg: Config, launcher: str) -> Config:
    """Adapt ``cfg`` (already merged with ``--cfg-options``) to this machine."""
    check_launcher(launcher)
    cfg.launcher = launcher
    if torch.cuda.is_available():
        check_mmcv_cuda_ops()
        return cfg
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    optim_wrapper = cfg.get('optim_wrapper') or {}
    if optim_wrapper.get('type') in ('AmpOptimWrapper', 'mmengine.AmpOptimWrapper'):
        print_log('no GPU: AmpOptimWrapper replaced by OptimWrapper (fp32)', logger='current',
                  level=logging.WARNING)
        optim_wrapper.type = 'OptimWrapper'
        for amp_only in ('loss_scale', 'dtype', 'use_fsdp'):
            optim_wrapper.pop(amp_only, None)
    if launcher != 'none':
        # SyncBatchNorm runs on GPU modules only; one process reverts it itself (mmengine)
        if _sync_bn_to_bn(cfg.get('model')):
            print_log('no GPU: SyncBN replaced by BN (statistics per process)',
                      logger='current', level=logging.WARNING)
        wrapper = cfg.get('model_wrapper_cfg') or dict(type='MMDistributedDataParallel')
        wrapper['device_ids'] = None  # DDP on CPU modules takes no device ids
        cfg.model_wrapper_cfg = wrapper
    return cfg


def mmcv_cuda_ops() -> str:
    """The CUDA version mmcv's compiled ops were built with, or why there are none."""
    try:
        from mmcv.ops import get_compiling_cuda_version
    except ImportError as e:  # mmcv-lite or a broken build: no compiled ops at all
        return f'not available (mmcv.ops does not import: {e})'
    return get_compiling_cuda_version()


def check_mmcv_cuda_ops() -> None:
    """Stops a run on a GPU at once when mmcv's ops (RoIAlign, NMS, ...) were
    compiled without CUDA: the model would build and then fail deep inside the
    first forward pass."""
    version = mmcv_cuda_ops()
    if version.startswith('not available'):
        import mmcv
        raise RuntimeError(
            f'A GPU is visible but mmcv {mmcv.__version__} was built without its CUDA ops '
            f'(compiled CUDA version: {version}). Rebuild it on this machine with '
            '`bash tools/setup_env.sh` (it sees the GPU, finds nvcc or installs it from PyPI '
            'and builds mmcv with FORCE_CUDA=1; README, "GPUs"), or run on the CPU with '
            'CUDA_VISIBLE_DEVICES="".')


def init_cpu_distributed(launcher: str, backend: str = 'gloo') -> None:
    """Start the process group for ``--launcher pytorch`` without CUDA.

    mmengine's ``init_dist`` calls ``torch.cuda.set_device`` first, which a
    CPU build of torch rejects; the Runner skips its own initialisation when
    a process group exists already.
    """
    if launcher == 'pytorch' and not torch.cuda.is_available() and not is_distributed():
        torch_dist.init_process_group(
            backend=backend, rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']))


_CHECKPOINT = re.compile(r'^(epoch|iter)_(\d+)\.pth$')


def find_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``--resume`` (without a file) continues from.

    mmengine reads only ``<work_dir>/last_checkpoint``; without it (deleted,
    never written, copied work dir) it would train from scratch and overwrite
    the ``epoch_*.pth`` there, and an empty one ends in ``FileNotFoundError:
    can not be found``. Here: the file ``last_checkpoint`` names (or a file of
    that name in ``work_dir``, for a moved work dir), else the newest
    ``epoch_N.pth`` / ``iter_N.pth`` of the work dir, saying so in the log;
    None when the work dir holds no checkpoint (a fresh start).
    """
    named = find_latest_checkpoint(work_dir) or ''  # what last_checkpoint names
    for candidate in (named, osp.join(work_dir, osp.basename(named))):
        if named and osp.isfile(candidate):
            return candidate
    last = osp.join(work_dir, 'last_checkpoint')
    problem = (f'{work_dir} has no last_checkpoint file' if not osp.isfile(last) else
               f'{last} is empty' if not named else f'{last} names {named!r}, which does not exist')
    found = [m for m in map(_CHECKPOINT.match, os.listdir(work_dir) if osp.isdir(work_dir) else [])
             if m]
    if not found:
        if osp.isfile(last):
            raise FileNotFoundError(f'--resume: {problem}, and {work_dir} holds no '
                                    'epoch_*.pth / iter_*.pth to resume from')
        return None
    if len({m[1] for m in found}) == 1:
        newest = max(found, key=lambda m: int(m[2]))[0]
    else:  # both epoch_ and iter_ files: the last written
        newest = max((m[0] for m in found), key=lambda n: osp.getmtime(osp.join(work_dir, n)))
    print_log(f'--resume: {problem}; resuming from the newest checkpoint there, {newest} '
              f'(found {", ".join(sorted(m[0] for m in found))})', logger='current',
              level=logging.WARNING)
    return osp.join(work_dir, newest)


class WorkDirBusy(RuntimeError):
    """Another training run holds the work dir."""


class WorkDirLock:
    """``<work_dir>/train.lock``: one training run per work dir.

    Two runs in one work dir overwrite each other's checkpoints and logs, so
    the second is refused, naming the owner (pid, host, command, start). The
    lock is an exclusive ``flock`` held for the owner's life: the kernel drops
    it when the process ends, killed or not, so a lock file left behind never
    blocks a later run.
    """

    NAME = 'train.lock'
    _held = {}  # lock path -> open file: the lock lives as long as the process, not this object

    def __init__(self, work_dir: str) -> None:
        self.path = osp.join(work_dir, self.NAME)
        self.owner = dict(pid=os.getpid(), host=socket.gethostname(),
                          since=time.strftime('%Y-%m-%d %H:%M:%S'), command=' '.join(sys.argv))

    def acquire(self) -> 'WorkDirLock':
        os.makedirs(osp.dirname(self.path), exist_ok=True)
        lock = open(self.path, 'a+')
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.seek(0)
            try:
                holder = json.loads(lock.read())
            except ValueError:
                holder = {}
            lock.close()
            raise WorkDirBusy(
                f'{osp.dirname(self.path)} is in use by another training run: pid '
                f'{holder.get("pid")} on {holder.get("host")}, started {holder.get("since")} '
                f'({holder.get("command")}); lock file {self.path}. Use another --work-dir, '
                'or wait for that run to end.') from None
        lock.truncate(0)
        lock.write(json.dumps(self.owner))
        lock.flush()
        self._held[self.path] = lock
        return self

    def release(self) -> None:
        """Drop the lock (the process's end does it too)."""
        lock = self._held.pop(self.path, None)
        if lock is not None:
            lock.close()

