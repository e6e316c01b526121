"""What tools/train.py and tools/test.py add to mmdet's tools.

The zoo's training runs get :func:`add_zoo_hooks`. The stock tools assume
CUDA: mmengine initialises NCCL, pins a GPU per rank and gives DDP
``device_ids``. On CPU-only machines (CI, laptops) these
functions switch to gloo and device-less DDP, and mixed precision
(``AmpOptimWrapper``, which mmengine builds only for accelerators) to fp32,
so the same configs, commands and ``dist_*.sh`` launchers work there too.
Where CUDA exists nothing changes, but a run stops at once if mmcv was built
without its CUDA ops (:func:`check_mmcv_cuda_ops`).
"""
import os

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.dist import is_distributed
from mmengine.logging import print_log


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
                  level=30)
        optim_wrapper.type = 'OptimWrapper'
        for amp_only in ('loss_scale', 'dtype', 'use_fsdp'):
            optim_wrapper.pop(amp_only, None)
    if launcher != 'none':
        # SyncBatchNorm runs on GPU modules only; one process reverts it itself (mmengine)
        if _sync_bn_to_bn(cfg.get('model')):
            print_log('no GPU: SyncBN replaced by BN (statistics per process)',
                      logger='current', level=30)
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


def add_zoo_hooks(cfg: Config) -> Config:
    """Hooks every zoo training run gets: :class:`~bdd100k_zoo.hooks.RandomStateHook`
    (exact resume)."""
    hooks = list(cfg.get('custom_hooks') or [])
    if not any(h.get('type') in ('RandomStateHook', 'mmengine.RandomStateHook') for h in hooks):
        hooks.append(dict(type='mmengine.RandomStateHook'))
    cfg.custom_hooks = hooks
    return cfg
