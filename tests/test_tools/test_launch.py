"""The tools without CUDA: SyncBN becomes BN for multi-process CPU runs (logged),
and --launcher pytorch outside torchrun says how to launch."""
import os.path as osp

import pytest

from bdd100k_zoo.config import load_config
from bdd100k_zoo.engine.runtime import prepare_config
from helpers import REPO

SEM_FPN = osp.join(REPO, 'configs/semantic_fpn/semantic_fpn_r50_40k_bdd100k.py')


def test_multi_process_cpu_runs_get_bn_for_syncbn(monkeypatch):
    import torch
    if torch.cuda.is_available():
        pytest.skip('with CUDA SyncBN stays')
    monkeypatch.setenv('RANK', '0')
    cfg = load_config(SEM_FPN)
    assert str(cfg.model).count("'SyncBN'") == 2  # backbone and decode head, as stock
    single = prepare_config(load_config(SEM_FPN), 'none')
    assert str(single.model).count("'SyncBN'") == 2  # one process: mmengine reverts it
    multi = prepare_config(cfg, 'pytorch')
    assert "'SyncBN'" not in str(multi.model)
    assert multi.model.backbone.norm_cfg == dict(type='BN', requires_grad=True)


@pytest.mark.parametrize('tool', ['train', 'test'])
def test_launcher_pytorch_without_torchrun_says_how_to_launch(monkeypatch, tool):
    from helpers import load_tool
    for var in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK'):
        monkeypatch.delenv(var, raising=False)
    args = [SEM_FPN] + (['ckpt.pth'] if tool == 'test' else []) + ['--launcher', 'pytorch']
    monkeypatch.setattr('sys.argv', [f'tools/{tool}.py'] + args)
    with pytest.raises(RuntimeError) as err:
        load_tool(tool).main()
    message = str(err.value)
    assert message.startswith('--launcher pytorch expects its processes to be started by '
                              'torchrun')
    assert 'bash tools/dist_train.sh CONFIG NUM_PROCS' in message
    assert 'python -m torch.distributed.run --nproc_per_node NUM_PROCS' in message
