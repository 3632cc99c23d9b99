#!/usr/bin/env bash
# Chooses the pair encoding and pooling by dev macro-F1 (NewsMTSC dev_rw + dev_mt): one epoch each on the
# full NewsMTSC train set, everything else as in the default config. Results: models/exp-*/metrics.json
# (the "dev" entry). Summarise with: python scripts/summarise_runs.py models/exp-*
set -euo pipefail
cd "$(dirname "$0")/.."
common=(trainer.epochs=1 trainer.learning_rate=1e-3 "model.train_also=[LayerNorm]" "data.test=[]")
python -m stance.train name=exp-marked-cls model.encoding=marked model.pooling=cls "${common[@]}"
python -m stance.train name=exp-pair-cls model.encoding=marked_pair model.pooling=cls "${common[@]}"
python -m stance.train name=exp-marked-clsmarker model.encoding=marked model.pooling=cls_marker "${common[@]}"
