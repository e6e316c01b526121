#!/usr/bin/env bash
# Create (once) and return the project's virtual environment in .venv/.
# torch (with torchvision) is installed first because mmcv 2.1.0 has no binary wheel:
# it builds its CUDA/CPU ops from source against the installed torch
# (--no-build-isolation). The built wheel is kept in
# ${XDG_CACHE_HOME:-~/.cache}/bdd100k_zoo/wheels/torch-<version>-<cpu|cuda-archs>/, so
# another clone on this machine reuses it; pip's own cache is not used for it (it keys
# the wheel by mmcv's sdist, not by the torch it was built against).
# mmcv 2.1.0's setup.py compiles with -std=c++17; torch >= 2.14's headers need C++20,
# so against such a torch the build runs through tools/cxx20.sh (CXX, and PYTORCH_NVCC
# for nvcc). A torch older than 2.1 is refused before anything is installed.
#
# With an NVIDIA GPU visible (nvidia-smi), mmcv is built with its CUDA ops:
# nvcc is taken from CUDA_HOME, the PATH or /usr/local/cuda when its major
# version matches torch's CUDA, else installed from PyPI's NVIDIA packages into
# the venv; FORCE_CUDA=1 and TORCH_CUDA_ARCH_LIST (the visible GPUs' compute
# capabilities, unless set) are exported. It stops before the build when that
# build would come out CPU-only (a CPU-only torch), and after it when mmcv has
# no CUDA ops. Choose another torch build with TORCH_SPEC / TORCH_INDEX_URL, e.g.
#   TORCH_SPEC="torch==2.1.2 torchvision==0.16.2" \
#     TORCH_INDEX_URL=https://download.pytorch.org/whl/cu121
# A .venv built with another TORCH_SPEC (or before the spec was recorded) is
# brought to this one: torch is reinstalled and mmcv with it.
#
#   bash tools/setup_env.sh --cuda-plan         # print what it would do for CUDA, change nothing
#   bash tools/setup_env.sh --compiler-env VER  # the compiler variables mmcv's build gets
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.bdd100k_zoo-installed"
reqs="$root/requirements"
python="${PYTHON:-python3}"

die() { echo "setup_env.sh: $*" >&2; exit 1; }

torch_default="torch==2.14.1 torchvision==0.29.1"
torch_spec="${TORCH_SPEC:-$torch_default}${TORCH_INDEX_URL:+ (index $TORCH_INDEX_URL)}"
torch_min=2.1  # mmcv 2.1.0's ops use torch >= 2.1 APIs
version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" == "$2" ]]; }
torch_refused() {  # $1: a torch version ("2.0.1+cu118"), $2: where it comes from
  die "$2 asks for torch $1, but mmcv 2.1.0 builds only against torch >= $torch_min." \
    "Choose a newer torch, e.g. TORCH_SPEC=\"$torch_default\" (the default) or" \
    "TORCH_SPEC=\"torch==2.1.2 torchvision==0.16.2\"" \
    "TORCH_INDEX_URL=https://download.pytorch.org/whl/cu121" \
    "(docs/get_started.md, \"GPU set-up\")."
}
torch_version_ok() { version_ge "${1%%+*}" "$torch_min"; }
# Refuses a TORCH_SPEC whose torch is pinned (==, ~=, a wheel file name) below the range.
check_torch_spec() {
  local v
  v="$(sed -n 's/.*\btorch\(==\|~=\|-\)\([0-9][0-9.]*[0-9]\).*/\2/p' <<<"${TORCH_SPEC:-}")"
  [[ -z "$v" ]] || torch_version_ok "$v" || torch_refused "$v" "TORCH_SPEC=\"$TORCH_SPEC\""
}

# The compiler variables for building mmcv against torch $1, as KEY=VALUE lines:
# none below 2.14; from 2.14 on, tools/cxx20.sh as CXX (wrapping the user's CXX, or
# g++) and, with CUDA_HOME set, as PYTORCH_NVCC (read by torch's ninja build) around nvcc.
compiler_env() {
  version_ge "${1%%+*}" 2.14 || return 0
  echo "CXX20_COMPILER=${CXX:-g++}"
  echo "CXX=$root/tools/cxx20.sh"
  [[ -z "${CUDA_HOME:-}" ]] ||
    printf 'PYTORCH_NVCC=env CXX20_COMPILER=%q %q\n' "$CUDA_HOME/bin/nvcc" "$root/tools/cxx20.sh"
}

# Compute capabilities of the visible NVIDIA GPUs, "8.0;9.0"; empty without one.
gpu_archs() {
  command -v nvidia-smi >/dev/null 2>&1 || return 0
  { nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null || true; } |
    tr -d ' \r' | grep -E '^[0-9]+\.[0-9]+$' | sort -u | paste -sd';' - || true
}

# CUDA version torch was built with ("12.8"), empty for a CPU-only torch.
# TORCH_CUDA_VERSION overrides the question (for --cuda-plan before torch exists).
torch_cuda() {
  if [[ -n "${TORCH_CUDA_VERSION+x}" ]]; then echo "$TORCH_CUDA_VERSION"; return; fi
  "$venv/bin/python" -c 'import torch; print(torch.version.cuda or "")' 2>/dev/null || true
}

nvcc_release() {  # "12.8" from `nvcc --version`
  "$1" --version 2>/dev/null | sed -n 's/.*release \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -1
}

# The toolkit an nvcc belongs to: nvcc's own TOP (an nvcc on the PATH may be a
# wrapper script, e.g. /usr/local/bin/nvcc), else the folder above its bin/.
cuda_home_of() {
  local top
  top="$("$1" --dryrun -E -x cu /dev/null 2>&1 | sed -n 's/^#\$ TOP=//p' | head -1)"
  [[ -n "$top" && -d "$top" ]] || top="$(dirname "$1")/.."
  (cd "$top" && pwd)
}

# torch's CUDA headers include cuBLAS' and cuSPARSE's, which a system toolkit may
# lack; the CUDA torch wheels pull in PyPI's nvidia-cublas / nvidia-cusparse, whose
# include folders then go on CPATH (read by the host compiler under nvcc, too).
toolkit_headers() {
  local h dirs="" found nv
  nv="$("$venv/bin/python" -c 'import nvidia; print(list(nvidia.__path__)[0])' 2>/dev/null || true)"
  for h in cublas_v2.h cusparse.h; do
    [[ -f "$1/include/$h" ]] && continue
    found="$([[ -n "$nv" ]] && find "$nv" -maxdepth 3 -path "*/include/$h" | head -1 || true)"
    [[ -n "$found" ]] || die "the CUDA toolkit in $1 has no include/$h (cuBLAS / cuSPARSE" \
      "headers) and no nvidia-* package in $venv provides it: install the toolkit's" \
      "cuBLAS/cuSPARSE development headers, or a CUDA torch (it pulls in nvidia-cublas and" \
      "nvidia-cusparse), or point CUDA_HOME at a complete toolkit."
    [[ ":$dirs:" == *":$(dirname "$found"):"* ]] || dirs+="${dirs:+:}$(dirname "$found")"
  done
  [[ -z "$dirs" ]] || echo "CPATH=$dirs"
}

# Prints the CUDA plan as key=value lines: archs, torch_cuda, then either
# nvcc=PATH cuda_home=DIR or nvcc_pip="PACKAGES"; fails where a CUDA build is impossible.
cuda_plan() {
  local archs tcuda candidate release home
  archs="$(gpu_archs)"
  echo "archs=$archs"
  [[ -n "$archs" ]] || { echo "mmcv_ops=cpu"; return 0; }
  tcuda="$(torch_cuda)"
  echo "torch_cuda=$tcuda"
  [[ -n "$tcuda" ]] || die "an NVIDIA GPU is visible (compute capability $archs) but the" \
    "installed torch is a CPU-only build, so mmcv would build without its CUDA ops. Install a" \
    "CUDA torch: rm -rf .venv and set TORCH_SPEC / TORCH_INDEX_URL (README, \"GPUs\")."
  echo "mmcv_ops=cuda"
  echo "TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-$archs}"
  for candidate in ${CUDA_HOME:+"$CUDA_HOME/bin/nvcc"} "$(command -v nvcc || true)" \
      /usr/local/cuda/bin/nvcc "$venv/cuda/bin/nvcc"; do
    [[ -n "$candidate" && -x "$candidate" ]] || continue
    release="$(nvcc_release "$candidate")"
    if [[ "${release%%.*}" == "${tcuda%%.*}" ]]; then
      echo "nvcc=$candidate"
      home="$(cuda_home_of "$candidate")"
      echo "CUDA_HOME=$home"
      toolkit_headers "$home"
      return 0
    fi
    echo "skipped_nvcc=$candidate (CUDA $release; torch has $tcuda)"
  done
  # PyPI's NVIDIA packages: -cu12 names for CUDA 12, unsuffixed from CUDA 13 on
  local major="${tcuda%%.*}" suffix="" pkgs="" p
  [[ "$major" -le 12 ]] && suffix="-cu$major"
  for p in nvidia-cuda-nvcc nvidia-cuda-runtime nvidia-cuda-cccl; do
    pkgs+="$p$suffix==$tcuda.* "
  done
  echo "nvcc_pip=${pkgs% }"
  echo "CUDA_HOME=$venv/cuda"
}

# One CUDA_HOME for the build out of PyPI's NVIDIA packages in the venv: nvcc,
# headers and libraries lie in separate folders under site-packages/nvidia/
# (nvidia/cuda_nvcc/bin/nvcc for CUDA 12, nvidia/cu13/bin/nvcc for CUDA 13).
assemble_pip_cuda_home() {
  local nv home="$venv/cuda" nvcc top d f
  nv="$("$venv/bin/python" -c 'import nvidia; print(list(nvidia.__path__)[0])')"
  nvcc="$(find "$nv" -maxdepth 3 -path '*/bin/nvcc' | head -1)"
  [[ -n "$nvcc" ]] || die "no nvcc in the installed NVIDIA packages under $nv"
  top="$(dirname "$(dirname "$nvcc")")"
  rm -rf "$home" && mkdir -p "$home/include" "$home/lib64"
  ln -s "$top/bin" "$home/bin"
  [[ -d "$top/nvvm" ]] && ln -s "$top/nvvm" "$home/nvvm"
  for d in $(find "$nv" -maxdepth 2 -type d -name include); do
    for f in "$d"/*; do [[ -e "$home/include/$(basename "$f")" ]] || ln -s "$f" "$home/include/"; done
  done
  for d in $(find "$nv" -maxdepth 2 -type d -name lib); do
    for f in "$d"/*.so*; do [[ -e "$f" ]] && ln -sf "$f" "$home/lib64/"; done
  done
  # the linker wants libcudart.so; the wheels ship libcudart.so.<major>
  for f in "$home"/lib64/libcudart.so.*; do ln -sf "$f" "$home/lib64/libcudart.so"; break; done
}

check_torch_spec
case "${1:-}" in
  --cuda-plan) cuda_plan; exit 0 ;;
  --compiler-env)
    torch_version_ok "${2:?--compiler-env needs a torch version}" ||
      torch_refused "$2" "--compiler-env"
    compiler_env "$2"; exit 0 ;;
esac

archs="$(gpu_archs)"
want="cpu"
[[ -n "$archs" ]] && want="cuda"
# the stamp records which mmcv ops were built (cuda serves a CPU-only run too) and
# for which torch spec; one without the spec predates torch 2.14: bring it up to date
if [[ -f "$stamp" && "$stamp" -nt "$reqs/runtime.txt" && "$stamp" -nt "$reqs/constraints.txt" \
      && "$stamp" -nt "$root/setup.cfg" && "$stamp" -nt "${BASH_SOURCE[0]}" ]]; then
  built="$(sed -n 's/^mmcv_ops=//p' "$stamp")"
  [[ "$(sed -n 's/^torch_spec=//p' "$stamp")" == "$torch_spec" ]] &&
    [[ "$built" == "$want" || "$built" == "cuda" ]] && exit 0
fi
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip)
"${pip[@]}" install -q --upgrade "pip>=24" -c "$reqs/constraints.txt"
read -ra torch_reqs <<<"${TORCH_SPEC:-$torch_default}"
"${pip[@]}" install -q -c "$reqs/constraints.txt" setuptools wheel ninja numpy \
  "${torch_reqs[@]}" ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"}
tver="$("$venv/bin/python" -c 'import torch; print(torch.__version__)')"
torch_version_ok "$tver" || torch_refused "$tver" "the installed torch (TORCH_SPEC=\"${TORCH_SPEC:-}\")"

wheel_key="torch-$tver-cpu"
if [[ "$want" == "cuda" ]]; then
  plan="$(cuda_plan)"  # dies here, before any build, when torch is CPU-only
  echo "$plan"
  if grep -q '^nvcc_pip=' <<<"$plan"; then
    # shellcheck disable=SC2046
    "${pip[@]}" install -q $(sed -n 's/^nvcc_pip=//p' <<<"$plan")
    assemble_pip_cuda_home
  fi
  export CUDA_HOME="$(sed -n 's/^CUDA_HOME=//p' <<<"$plan")"
  export TORCH_CUDA_ARCH_LIST="$(sed -n 's/^TORCH_CUDA_ARCH_LIST=//p' <<<"$plan")"
  export FORCE_CUDA=1 PATH="$CUDA_HOME/bin:$PATH"
  if grep -q '^CPATH=' <<<"$plan"; then
    export CPATH="$(sed -n 's/^CPATH=//p' <<<"$plan")${CPATH:+:$CPATH}"
  fi
  [[ -x "$CUDA_HOME/bin/nvcc" ]] || die "no nvcc in $CUDA_HOME/bin: cannot build mmcv's CUDA ops"
  wheel_key="torch-$tver-cuda-${TORCH_CUDA_ARCH_LIST//[; ]/_}"
fi
# mmcv: the wheel built for this torch, ops and Python, else built now and kept
mmcv_version="$(sed -n 's/^mmcv==//p' "$reqs/constraints.txt")"
py_tag="$("$venv/bin/python" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')"
wheels="${XDG_CACHE_HOME:-$HOME/.cache}/bdd100k_zoo/wheels/$wheel_key"
whl="$(compgen -G "$wheels/mmcv-$mmcv_version-$py_tag-*.whl" | head -1 || true)"
if [[ -z "$whl" ]]; then
  echo "setup_env.sh: building mmcv $mmcv_version against torch $tver ($want ops; about 20" \
    "minutes on 2 CPU cores); the wheel is kept in $wheels"
  mkdir -p "$wheels"
  build="$(mktemp -d "$wheels/.build.XXXXXX")"
  trap 'rm -rf "$build"' EXIT
  while IFS= read -r kv; do export "${kv?}"; done < <(compiler_env "$tver")
  MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" "${pip[@]}" wheel -q --no-build-isolation \
    --no-cache-dir --no-deps -w "$build" "mmcv==$mmcv_version"
  mv "$build"/mmcv-*.whl "$wheels/"  # the same file system: the wheel appears whole or not at all
  whl="$(compgen -G "$wheels/mmcv-$mmcv_version-$py_tag-*.whl" | head -1)"
fi
# replaces an mmcv built for another torch or without the wanted ops
"${pip[@]}" install -q --no-deps --force-reinstall "$whl"
# One resolve for the whole stack so no later step moves numpy/pydantic/torch again
# (torch stays the installed one); --no-build-isolation: mmpose's chumpy builds only so.
"${pip[@]}" install -q --no-build-isolation -c "$reqs/constraints.txt" \
  -r "$reqs/runtime.txt" -r "$reqs/tests.txt" "torch==${tver%%+*}"
# The checkout itself goes on the venv's path (a .pth file), not through `pip install -e`:
# mmengine and mim find a package's .mim (the bdd100k_zoo:: config scope, the model index)
# at <its install record's location>/bdd100k_zoo, and every editable install (PEP 660,
# compat mode too) puts the record in site-packages, where the package is not. The record
# goes beside the package instead, as `setup.py develop` did: bdd100k_zoo.egg-info in the
# checkout, on the path through the .pth file, so pip list, mim list / search and
# pkg_resources see the package with the checkout as its location. Wheels work as they are.
# our own record first (regenerated below), so that pip never uninstalls the checkout itself
rm -rf "$root/bdd100k_zoo.egg-info"
"${pip[@]}" uninstall -q -y bdd100k_zoo 2>/dev/null || true  # an earlier editable install
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$root" >"$site/bdd100k_zoo.pth"
(cd "$root" && "$venv/bin/python" -c 'from setuptools import setup; setup()' -q egg_info)
if [[ "$want" == "cuda" ]]; then
  ops="$("$venv/bin/python" -c 'from bdd100k_zoo.engine.runtime import mmcv_cuda_ops; print(mmcv_cuda_ops())')"
  [[ "$ops" != not\ available* ]] || die "mmcv was built without its CUDA ops ($ops)"
  echo "mmcv ops built for CUDA $ops (TORCH_CUDA_ARCH_LIST=$TORCH_CUDA_ARCH_LIST)"
fi
printf 'mmcv_ops=%s\ntorch_spec=%s\n' "$want" "$torch_spec" >"$stamp"
