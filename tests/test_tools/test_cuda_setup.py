"""CUDA set-up and run-time checks, tested without a GPU: the set-up script's
decisions with a fake ``nvidia-smi`` / ``nvcc`` first on the PATH, and the
run-time stop with torch made to report a GPU beside this CPU-only mmcv."""
import os
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from bdd100k_zoo.engine.runtime import mmcv_cuda_ops, prepare_config
from helpers import FRCNN_CONFIG, REPO, load_tool


def fake(bin_dir, name, body):
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / name
    path.write_text('#!/bin/sh\n' + body + '\n')
    path.chmod(0o755)
    return str(path)


def cuda_plan(tmp_path, env_extra, ok=True):
    env = {k: v for k, v in os.environ.items() if k not in ('CUDA_HOME', 'TORCH_CUDA_ARCH_LIST')}
    env.update(PATH=f'{tmp_path / "bin"}:/usr/bin:/bin', **env_extra)
    proc = subprocess.run(['bash', 'tools/setup_env.sh', '--cuda-plan'], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert (proc.returncode == 0) == ok, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    skipped = [line.split('=', 1)[1] for line in lines if line.startswith('skipped_nvcc=')]
    plan = dict(line.split('=', 1) for line in lines if not line.startswith('skipped_nvcc='))
    return dict(plan, skipped_nvcc=skipped) if skipped else plan, proc.stderr


GPUS = 'printf "8.6\\n8.0\\n8.6\\n"'  # nvidia-smi --query-gpu=compute_cap of three GPUs


def test_no_gpu_builds_cpu_ops(tmp_path):
    fake(tmp_path / 'bin', 'nvidia-smi', 'echo "NVIDIA-SMI has failed" >&2; exit 9')
    plan, _ = cuda_plan(tmp_path, {})
    assert plan == {'archs': '', 'mmcv_ops': 'cpu'}


def test_gpu_with_cpu_only_torch_stops_before_building(tmp_path):
    fake(tmp_path / 'bin', 'nvidia-smi', GPUS)
    plan, err = cuda_plan(tmp_path, {'TORCH_CUDA_VERSION': ''}, ok=False)
    assert plan == {'archs': '8.0;8.6', 'torch_cuda': ''}
    assert 'installed torch is a CPU-only build' in err and 'TORCH_SPEC' in err


def test_gpu_uses_the_nvcc_that_matches_torch(tmp_path):
    fake(tmp_path / 'bin', 'nvidia-smi', GPUS)
    cuda = tmp_path / 'cuda-99.1'
    nvcc = fake(cuda / 'bin', 'nvcc', 'echo "Cuda compilation tools, release 99.1, V99.1.1"')
    stale = fake(tmp_path / 'bin', 'nvcc', 'echo "Cuda compilation tools, release 98.0, V98.0.0"')
    plan, _ = cuda_plan(tmp_path, {'TORCH_CUDA_VERSION': '99.1', 'CUDA_HOME': str(cuda)})
    assert plan['nvcc'] == nvcc and plan['CUDA_HOME'] == str(cuda)
    assert plan['TORCH_CUDA_ARCH_LIST'] == '8.0;8.6' and plan['mmcv_ops'] == 'cuda'
    assert 'skipped_nvcc' not in plan  # CUDA_HOME's nvcc comes first and matches

    plan, _ = cuda_plan(tmp_path, {'TORCH_CUDA_VERSION': '98.0', 'TORCH_CUDA_ARCH_LIST': '9.0'})
    assert plan['nvcc'] == stale and plan['TORCH_CUDA_ARCH_LIST'] == '9.0'  # the user's list


def test_gpu_without_a_matching_nvcc_installs_it_from_pypi(tmp_path):
    fake(tmp_path / 'bin', 'nvidia-smi', GPUS)
    stale = fake(tmp_path / 'bin', 'nvcc', 'echo "Cuda compilation tools, release 98.0, V98.0.0"')
    plan, _ = cuda_plan(tmp_path, {'TORCH_CUDA_VERSION': '99.1'})
    assert 'nvcc' not in plan
    assert plan['skipped_nvcc'][0] == f'{stale} (CUDA 98.0; torch has 99.1)'
    assert plan['nvcc_pip'] == \
        'nvidia-cuda-nvcc==99.1.* nvidia-cuda-runtime==99.1.* nvidia-cuda-cccl==99.1.*'
    assert plan['CUDA_HOME'] == os.path.join(REPO, '.venv', 'cuda')


def test_this_mmcv_has_no_cuda_ops():
    assert mmcv_cuda_ops() == 'not available'  # the CPU build these tests run on


def test_a_gpu_with_cpu_only_mmcv_ops_stops_the_tools_at_once(monkeypatch, tmp_path):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    with pytest.raises(RuntimeError, match='built without its CUDA ops.*setup_env.sh'):
        prepare_config(Config.fromfile(os.path.join(REPO, FRCNN_CONFIG)), 'none')
    # tools/train.py stops before building anything
    monkeypatch.setattr(sys, 'argv', ['train.py', FRCNN_CONFIG, '--work-dir', str(tmp_path)])
    with pytest.raises(RuntimeError, match='built without its CUDA ops'):
        load_tool('train').main()
    assert os.listdir(tmp_path) == []


def test_a_gpu_with_cuda_mmcv_ops_runs(monkeypatch):
    import mmcv.ops
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(mmcv.ops, 'get_compiling_cuda_version', lambda: '12.8')
    cfg = prepare_config(Config.fromfile(os.path.join(REPO, FRCNN_CONFIG)), 'none')
    assert 'env_cfg' not in cfg or cfg.env_cfg.dist_cfg.backend == 'nccl'  # CUDA untouched


def test_gpu_check_skips_without_a_gpu():
    if torch.cuda.is_available():
        pytest.skip('a GPU is visible: tools/gpu_check.sh would run the full-size checks')
    proc = subprocess.run(['bash', 'tools/gpu_check.sh'], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'gpu_check.sh: SKIPPED: torch sees no CUDA GPU' in proc.stdout
