#!/usr/bin/env bash
# Fine-tuning on a few labels: 200 / 500 / all (claim, actor) pairs of the commentary set's train part, each
# from the shipped NewsMTSC model (model.init_from=models/newsmtsc-v1: its adapter and head keep training) and
# from scratch (model.init_from=null: a fresh adapter and head on the backbone). Selection on commentary dev,
# figures on commentary test; every run otherwise as the default config (4 epochs, lr 5e-4, seed 21),
# one CPU thread each, two runs at a time (JOBS=1 for one; SIZES="200 500" for some sizes only). Claims without actors are left out, so every
# training example is a labelled pair. Results: outputs/small_data/*/metrics.json, summarised at the end
# (python scripts/figures/measure_small_data.sh summary prints the table again).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
FROM=${FROM:-models/newsmtsc-v1}
JOBS=${JOBS:-2}
OUT=outputs/small_data

run() {  # run SIZE START: SIZE is a number of pairs or "all", START is "shipped" or "scratch"
  local size=$1 start=$2 limit init
  limit=$([ "$size" = all ] && echo null || echo "$size")
  init=$([ "$start" = shipped ] && echo "$FROM" || echo null)
  "$PY" -m stance.train name="small-$size-$start" output_dir="$OUT/$size-$start" \
    checkpoint_dir="$OUT/checkpoints/$size-$start" overwrite=true data=commentary \
    data.train.0.claims_without_actors=false data.dev.0.claims_without_actors=false \
    "data.test=[{format: gold, name: commentary_test, path: \${paths.root}/data/commentary/test.jsonl}]" \
    trainer.eval_test=true trainer.max_train_samples="$limit" model.init_from="$init" trainer.threads=1 \
    > "$OUT/$size-$start.log" 2>&1
}

summary() {
  "$PY" - "$OUT" <<'PY'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
print("| pairs | start | dev F1m | commentary test F1m | test accuracy | train s |")
print("|---|---|---|---|---|---|")
for size in ("200", "500", "all"):
    for start in ("shipped", "scratch"):
        path = out / f"{size}-{start}" / "metrics.json"
        if not path.is_file():
            print(f"| {size} | {start} | (not run) | | | |")
            continue
        m = json.loads(path.read_text())
        test = m["test"]["commentary_test"]
        print(f"| {m['train']['pairs']} | {start} | {m['dev']['f1_macro']:.3f} | {test['f1_macro']:.3f} | "
              f"{test['accuracy']:.3f} | {m['train']['seconds']:.0f} |")
PY
}

if [ "${1:-}" = summary ]; then summary; exit 0; fi
mkdir -p "$OUT"
export -f run
export PY FROM OUT
for size in ${SIZES:-200 500 all}; do printf '%s\n' "$size shipped" "$size scratch"; done |
  xargs -P "$JOBS" -L 1 bash -c 'run "$0" "$1"'
summary
