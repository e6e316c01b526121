#!/usr/bin/env bash
# The README's main job: builds .venv on first use, then trains and evaluates
# Faster R-CNN on a synthetic BDD100K-format sample (see tools/demo.py).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/tools/setup_env.sh"
cd "$root"
exec .venv/bin/python tools/demo.py "$@"
