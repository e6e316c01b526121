"""CUDA set-up and run-time checks, tested without a GPU: the set-up script's
decisions with a fake ``nvidia-smi`` / ``nvcc`` first on the PATH, and the
run-time stop with torch made to report a GPU beside this CPU-only mmcv."""
import os
import re
import shutil
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


def fake_nvcc(cuda_home, release):
    """A toolkit's nvcc with the cuBLAS / cuSPARSE headers torch's headers include."""
    (cuda_home / 'include').mkdir(parents=True, exist_ok=True)
    for header in ('cublas_v2.h', 'cusparse.h'):
        (cuda_home / 'include' / header).touch()
    return fake(cuda_home / 'bin', 'nvcc',
                f'echo "Cuda compilation tools, release {release}, V{release}.1"')


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
    nvcc = fake_nvcc(cuda, '99.1')
    stale = fake_nvcc(tmp_path, '98.0')
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


@pytest.mark.parametrize('spec', ['torch==2.0.1', 'torch~=2.0.0 torchvision',
                                  '/wheels/torch-2.0.1-cp311-cp311-manylinux_2_28_x86_64.whl',
                                  'torch==1.13.1+cu117 torchvision==0.14.1+cu117'])
def test_a_torch_mmcv_cannot_build_with_is_refused_at_once(tmp_path, spec):
    fake(tmp_path / 'bin', 'nvidia-smi', GPUS)
    plan, err = cuda_plan(tmp_path, {'TORCH_SPEC': spec, 'TORCH_CUDA_VERSION': '99.1'}, ok=False)
    assert plan == {}  # before anything else
    assert 'mmcv 2.1.0 builds only against torch >= 2.1' in err
    assert 'TORCH_SPEC="torch==2.14.1 torchvision==0.29.1" (the default)' in err


@pytest.mark.parametrize('spec', ['torch==2.14.1 torchvision==0.29.1', 'torch>=2.14',
                                  'torch==2.1.2+cu121 torchvision==0.16.2+cu121',
                                  '/wheels/torch-2.14.1-cp311-cp311-manylinux_2_28_x86_64.whl'])
def test_a_torch_mmcv_builds_with_is_planned(tmp_path, spec):
    fake(tmp_path / 'bin', 'nvidia-smi', GPUS)
    plan, _ = cuda_plan(tmp_path, {'TORCH_SPEC': spec, 'TORCH_CUDA_VERSION': '99.1'})
    assert plan['mmcv_ops'] == 'cuda'


def compiler_env(torch_version, **env_extra):
    """What tools/setup_env.sh exports for building mmcv against that torch."""
    env = {k: v for k, v in os.environ.items() if k not in ('CXX', 'CUDA_HOME', 'TORCH_SPEC')}
    proc = subprocess.run(['bash', 'tools/setup_env.sh', '--compiler-env', torch_version],
                          cwd=REPO, env=dict(env, **env_extra), capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return dict(line.split('=', 1) for line in proc.stdout.splitlines())


# accepted only from C++20 on (a concept), with the check torch >= 2.14's ATen.h makes
CXX20_ONLY = '''
#if __cplusplus < 202002L
#error not C++20
#endif
template <typename T> concept Small = sizeof(T) <= 8;
static_assert(Small<int>);
'''


def test_torch_2_14_builds_mmcv_as_cxx20_through_the_wrapper(tmp_path):
    assert compiler_env('2.13.0') == {}  # C++17 serves: mmcv's own flags, unwrapped
    src = tmp_path / 'cxx20.cpp'
    src.write_text(CXX20_ONLY)
    # -std=c++17 as mmcv's setup.py passes it: the plain compiler refuses the file
    plain = subprocess.run(['g++', '-std=c++17', '-fsyntax-only', str(src)],
                           capture_output=True, text=True)
    assert plain.returncode != 0 and 'not C++20' in plain.stderr
    env = compiler_env('2.14.1+cu130')
    assert env == {'CXX20_COMPILER': 'g++', 'CXX': os.path.join(REPO, 'tools', 'cxx20.sh')}
    wrapped = subprocess.run([env['CXX'], '-std=c++17', '-fsyntax-only', str(src)],
                             env=dict(os.environ, **env), capture_output=True, text=True)
    assert wrapped.returncode == 0, wrapped.stderr

    # torch's own headers, where this environment's torch is >= 2.14 (the default)
    if tuple(int(x) for x in torch.__version__.split('+')[0].split('.')[:2]) >= (2, 14):
        from torch.utils.cpp_extension import include_paths
        aten = tmp_path / 'aten.cpp'
        aten.write_text('#include <ATen/ATen.h>\n')
        cmd = ['-std=c++17', '-E', '-o', os.devnull, str(aten)]
        cmd += [f'-I{path}' for path in include_paths()]
        plain = subprocess.run(['g++'] + cmd, capture_output=True, text=True)
        assert 'C++20 or later compatible compiler is required' in plain.stderr
        wrapped = subprocess.run([env['CXX']] + cmd, env=dict(os.environ, **env),
                                 capture_output=True, text=True)
        assert wrapped.returncode == 0, wrapped.stderr

    # nvcc: torch's ninja build runs PYTORCH_NVCC as a command line; the user's CXX is kept
    cuda = tmp_path / 'cuda home'
    fake(cuda / 'bin', 'nvcc', 'echo "nvcc $*"')
    env = compiler_env('2.14.1', CUDA_HOME=str(cuda), CXX='clang++')
    assert env['CXX20_COMPILER'] == 'clang++'
    run = subprocess.run(f'{env["PYTORCH_NVCC"]} -c x.cu -std=c++17 -O3', shell=True,
                         capture_output=True, text=True)
    assert run.stdout == 'nvcc -c x.cu -std=c++20 -O3\n', run.stderr


def test_a_toolkit_without_cublas_cusparse_headers_stops_naming_them(tmp_path):
    fake(tmp_path / 'bin', 'nvidia-smi', GPUS)
    cuda = tmp_path / 'cuda-99.1'
    fake(cuda / 'bin', 'nvcc', 'echo "Cuda compilation tools, release 99.1, V99.1.1"')
    (cuda / 'include').mkdir()
    (cuda / 'include' / 'cublas_v2.h').touch()
    env = {'TORCH_CUDA_VERSION': '99.1', 'CUDA_HOME': str(cuda)}
    venv_python = os.path.join(REPO, '.venv', 'bin', 'python')
    if not os.path.exists(venv_python) or subprocess.run(
            [venv_python, '-c', 'import nvidia'], capture_output=True).returncode:
        # no nvidia-* packages (a CPU torch) to take the headers from
        plan, err = cuda_plan(tmp_path, env, ok=False)
        assert f'the CUDA toolkit in {cuda} has no include/cusparse.h' in err
        assert 'nvidia-cusparse' in err
    (cuda / 'include' / 'cusparse.h').touch()
    plan, _ = cuda_plan(tmp_path, env)
    assert 'CPATH' not in plan  # the toolkit has both


# mmcv 2.1.0's setup.py for a CUDA build (EXT_TYPE 'pytorch', FORCE_CUDA=1): these
# macros, include folders and -std flags, through torch's BuildExtension.
MMCV_SETUP = '''
import sys
from setuptools import setup
from torch.utils.cpp_extension import BuildExtension, CUDAExtension
csrc, sources = sys.argv.pop(1), sys.argv.pop(1).split(',')
setup(name='mmcv_cuda_check', cmdclass={'build_ext': BuildExtension}, ext_modules=[CUDAExtension(
    'mmcv_cuda_check', sources=[f'{csrc}/pytorch/{s}' for s in sources],
    include_dirs=[f'{csrc}/pytorch', f'{csrc}/common', f'{csrc}/common/cuda'],
    define_macros=[('MMCV_WITH_CUDA', None)],
    extra_compile_args={'cxx': ['-std=c++17'], 'nvcc': ['-std=c++17']})])
'''
# the ops the zoo's models run on a GPU (NMS, RoIAlign), host and device sides
MMCV_SOURCES = 'nms.cpp,roi_align.cpp,cuda/nms_cuda.cu,cuda/roi_align_cuda.cu'


@pytest.mark.cuda_compile
def test_mmcv_cuda_sources_compile_with_mmcv_setup_flags(tmp_path):
    """Opt-in (pytest -m cuda_compile), no GPU needed: CUDA_TORCH_PYTHON (default:
    this interpreter) has a CUDA torch, nvcc comes from CUDA_HOME / the PATH /
    /usr/local/cuda (the system's or PyPI's nvidia-cuda-nvcc)."""
    import mmcv
    python = os.environ.get('CUDA_TORCH_PYTHON', sys.executable)
    env = dict(os.environ, FORCE_CUDA='1', TORCH_CUDA_ARCH_LIST='9.0', MAX_JOBS='2')
    nvcc = shutil.which('nvcc')
    if 'CUDA_HOME' not in env and nvcc:  # as setup_env.sh: nvcc's own TOP, past wrapper scripts
        dry = subprocess.run([nvcc, '--dryrun', '-E', '-x', 'cu', '/dev/null'],
                             capture_output=True, text=True).stderr
        top = re.search(r'^#\$ TOP=(.+)$', dry, re.M)
        env.update({'CUDA_HOME': os.path.realpath(top.group(1))} if top else {})
    probe = subprocess.run([python, '-c', 'import torch, torch.utils.cpp_extension as c; '
                            'print(torch.__version__, torch.version.cuda, c.CUDA_HOME)'],
                           env=env, capture_output=True, text=True, timeout=300)
    assert probe.returncode == 0, probe.stderr
    version, cuda, cuda_home = probe.stdout.split()
    assert cuda != 'None', f'{python} has a CPU-only torch {version}: set CUDA_TORCH_PYTHON'
    assert cuda_home != 'None', 'no nvcc: set CUDA_HOME or put nvcc on the PATH'
    # the cuBLAS / cuSPARSE headers from PyPI's nvidia-* packages, as setup_env.sh adds them
    headers = subprocess.run(
        [python, '-c', 'import glob, nvidia; print(":".join(sorted({p.rsplit("/", 1)[0] '
         'for d in nvidia.__path__ for p in glob.glob(d + "/*/include/cus*.h") '
         '+ glob.glob(d + "/*/include/cublas*.h")})))'],
        capture_output=True, text=True).stdout.strip()
    if headers:
        env['CPATH'] = headers + (':' + env['CPATH'] if env.get('CPATH') else '')
    # torch >= 2.14: C++20 through the wrapper, as tools/setup_env.sh builds mmcv
    env.update(compiler_env(version, CUDA_HOME=cuda_home))
    (tmp_path / 'setup.py').write_text(MMCV_SETUP)
    csrc = os.path.join(os.path.dirname(mmcv.__file__), 'ops', 'csrc')
    proc = subprocess.run([python, 'setup.py', csrc, MMCV_SOURCES, 'build_ext',
                           '--build-temp', 'build', '--build-lib', 'lib'], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=3600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-6000:]
    assert list((tmp_path / 'lib').glob('mmcv_cuda_check*.so')), log[-2000:]
