#!/usr/bin/env bash
# Create (once) and return the project's virtual environment in .venv/.
# torch is installed first because mmcv 2.1.0 has no binary wheel: it builds its
# CUDA/CPU ops from source against the installed torch (--no-build-isolation).
# Users with GPUs set TORCH_SPEC / TORCH_INDEX_URL to take a CUDA build, e.g.
#   TORCH_SPEC="torch==2.1.2" TORCH_INDEX_URL=https://download.pytorch.org/whl/cu121
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.bdd100k_zoo-installed"
reqs="$root/requirements"
if [[ -f "$stamp" && "$stamp" -nt "$reqs/runtime.txt" && "$stamp" -nt "$reqs/constraints.txt" && "$stamp" -nt "$root/setup.cfg" ]]; then
  exit 0
fi
python="${PYTHON:-python3}"
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip)
"${pip[@]}" install -q --upgrade "pip>=24" -c "$reqs/constraints.txt"
"${pip[@]}" install -q -c "$reqs/constraints.txt" setuptools wheel ninja numpy \
  "${TORCH_SPEC:-torch==2.13.0}" ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"}
# One resolve for the whole stack so no later step moves numpy/pydantic again.
MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" "${pip[@]}" install -q --no-build-isolation \
  -c "$reqs/constraints.txt" -r "$reqs/runtime.txt" -r "$reqs/tests.txt" -e "$root"
touch "$stamp"
