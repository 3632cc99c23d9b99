#!/usr/bin/env bash
# Creates .venv and installs stance with its dev extra. torch goes first, pinned to the CPU wheel,
# so that nothing later pulls the CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q torch==2.13.0
.venv/bin/python -m pip install -q -e ".[dev]"
echo "stance installed in .venv (activate with: source .venv/bin/activate)"
