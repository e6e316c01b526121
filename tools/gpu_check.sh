#!/usr/bin/env bash
# Every zoo config at full size on CUDA, as a user's first run: the real
# samples, the stand-ins of the real initial weights, train, checkpoint, resume,
# evaluate (tests/test_fullsize_smoke.py); AMP where the config has it; with two
# or more GPUs visible, 2 processes over NCCL through tools/dist_train.sh and
# tools/dist_test.sh. Then the training-speed benchmark against stock mmdet.
# Without a GPU it says so and exits 0.
#   bash tools/gpu_check.sh [pytest args...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="$root/.venv/bin/python"
[[ -x "$py" ]] || { echo "gpu_check.sh: no .venv: run bash tools/setup_env.sh first" >&2; exit 1; }
gpus="$("$py" -c 'import torch; print(torch.cuda.device_count() if torch.cuda.is_available() else 0)')"
if [[ "$gpus" -eq 0 ]]; then
  echo "gpu_check.sh: SKIPPED: torch sees no CUDA GPU ($("$py" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda)'))"
  exit 0
fi
# stops here with the rebuild command when mmcv's ops lack CUDA
"$py" -c 'from bdd100k_zoo.engine.runtime import check_mmcv_cuda_ops; check_mmcv_cuda_ops()'
export FULLSIZE_GPUS=$(( gpus >= 2 ? 2 : 1 ))
echo "gpu_check.sh: $gpus GPU(s) visible; training with $FULLSIZE_GPUS process(es)"
cd "$root"
"$py" -m pytest -m fullsize tests/test_fullsize_smoke.py -s "$@"
"$py" benchmarks/bench_train_speed.py
