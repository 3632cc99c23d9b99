#!/usr/bin/env bash
# Score a small input with the shipped model and render its view.html in headless Chromium to a PNG, to look at
# the view as a reader would (README: docs/view.png).
#   bash scripts/maintenance/screenshot_view.sh [INPUT] [PNG] [WIDTHxHEIGHT]
# INPUT defaults to data/examples/middle-corridor.txt, PNG to docs/view.png, the window to 1366x1200 (a laptop
# screen's width). Needs the Debian package chromium (apt-get install -y chromium); the run goes to
# outputs/screenshot_view. The PNG is reduced to 256 colours (text and flat colours survive it) to stay small.
set -euo pipefail
cd "$(dirname "$0")/../.."
INPUT=${1:-data/examples/middle-corridor.txt}
PNG=$(realpath -m "${2:-docs/view.png}")
SIZE=${3:-1366x1200}
RUN=outputs/screenshot_view
BROWSER=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$BROWSER" ]; then
  echo "error: no chromium on PATH (Debian: apt-get install -y chromium)" >&2
  exit 1
fi
.venv/bin/python -m stance.score input="$INPUT" output="$RUN" overwrite=true progress=false show_documents=0 "${@:4}"
# --no-sandbox: headless as root in a container; the page is a local file that fetches nothing.
"$BROWSER" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --window-size="${SIZE/x/,}" --screenshot="$PNG.tmp.png" "file://$PWD/$RUN/view.html" 2>/dev/null
.venv/bin/python - "$PNG" <<'PY'
import os
import sys

from PIL import Image

target = sys.argv[1]
Image.open(target + ".tmp.png").convert("RGB").quantize(colors=256).save(target, optimize=True)
os.remove(target + ".tmp.png")
print(f"{target}: {os.path.getsize(target):,} bytes")
PY
