#!/usr/bin/env bash
# A recipe with several seeds, two at a time (one thread each on a 2-core machine), then the spread on dev
# (each run's metrics.json) and on test (one `stance.evaluate` run that scores them side by side):
#   bash scripts/train/train_seeds.sh [SEED ...]        (default: 21 7 13; about 45 min per pair of seeds here)
# RECIPE names the experiment (default real_stance, the shipped default's; mpnet_stance: docs/mpnet.md) and
# the runs' prefix (outputs/runs/PREFIX-sSEED; default: real for real_stance, else the recipe's name).
# Extra training overrides go in STANCE_TRAIN_ARGS, e.g. STANCE_TRAIN_ARGS='data.train.0.label_set=[]'.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
RECIPE=${RECIPE:-real_stance}
if [ "$RECIPE" = real_stance ]; then default_prefix=real; else default_prefix=$RECIPE; fi
PREFIX=${PREFIX:-$default_prefix}
SEEDS=("${@:-21 7 13}")
read -r -a SEEDS <<< "${SEEDS[*]}"
RUNS=outputs/runs
mkdir -p "$RUNS"
dirs=()
for ((i = 0; i < ${#SEEDS[@]}; i += 2)); do
  for seed in "${SEEDS[@]:i:2}"; do
    name=$PREFIX-s$seed
    dirs+=("$RUNS/$name")
    [ -f "$RUNS/$name/metrics.json" ] && continue  # done before: rerunning resumes
    # shellcheck disable=SC2086
    "$PY" -m stance.train name="$name" experiment="$RECIPE" trainer.seed="$seed" trainer.threads=1 \
      output_dir="$RUNS/$name" ${STANCE_TRAIN_ARGS:-} > "$RUNS/$name.log" 2>&1 &
  done
  wait
done
list=$(IFS=,; echo "${dirs[*]}")
"$PY" -m stance.evaluate output="outputs/evaluate/seeds-$PREFIX" "model_dir=[$list]" baselines.enabled=false
"$PY" scripts/figures/seed_spread.py "${dirs[@]}" --evaluate "outputs/evaluate/seeds-$PREFIX"
