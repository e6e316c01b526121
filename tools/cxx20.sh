#!/usr/bin/env bash
# mmcv 2.1.0's setup.py compiles with -std=c++17 (host compiler and nvcc), and torch
# >= 2.14's headers need C++20: this runs CXX20_COMPILER (default g++) with that flag
# turned into -std=c++20. tools/setup_env.sh uses it as CXX, and with
# CXX20_COMPILER=<nvcc> as PYTORCH_NVCC, when it builds mmcv against such a torch.
set -euo pipefail
args=()
for a in "$@"; do [[ "$a" == -std=c++17 ]] && a=-std=c++20; args+=("$a"); done
exec "${CXX20_COMPILER:-g++}" "${args[@]}"
