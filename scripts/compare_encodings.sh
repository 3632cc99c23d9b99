#!/usr/bin/env bash
# Chooses the pair encoding and pooling by dev macro-F1 (NewsMTSC dev_rw + dev_mt): one epoch each on the
# full NewsMTSC train set, everything else as in the default config. Results: models/exp-*/metrics.json
# (the "dev" entry). Summarise with: python scripts/summarise_runs.py models/exp-*
# As the README's encoding table was measured: NewsMTSC only, LoRA r=16, no class weights, no calibration,
# no sentiment head (the pooler's LoRA, trained then, is no longer adapted: figures may differ slightly).
set -euo pipefail
cd "$(dirname "$0")/.."
common=(data=newsmtsc trainer.epochs=1 trainer.learning_rate=1e-3 model.lora_r=16 "model.train_also=[LayerNorm]"
        trainer.class_weights=false trainer.calibrate=false "model.sentiment_labels=[]" "data.test=[]" overwrite=true)
python -m stance.train name=exp-marked-cls model.encoding=marked model.pooling=cls "${common[@]}"
python -m stance.train name=exp-pair-cls model.encoding=marked_pair model.pooling=cls "${common[@]}"
python -m stance.train name=exp-marked-clsmarker model.encoding=marked model.pooling=cls_marker "${common[@]}"
