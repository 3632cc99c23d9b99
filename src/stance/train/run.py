"""`python -m stance.train`: fine-tune the stance classifier (transformers Trainer) and save a model dir.

Runs unchanged under `accelerate launch` or `torchrun` (the Trainer handles the devices); the model
directory is written by the main process only.
"""
from __future__ import annotations

import json
import logging
import random
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import hydra
import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf
from sklearn.metrics import f1_score
from transformers import EarlyStoppingCallback, Trainer, TrainingArguments, set_seed

from stance.atomic import atomic_directory
from stance.config import CONF_DIR, save_portable
from stance.data.mixing import mix_sources
from stance.data.sources import DataError, load_source
from stance.evaluate.metrics import classification_metrics, expected_calibration_error
from stance.model.calibration import fit_calibration, nll
from stance.model.classifier import LoadedModel, build_classifier, init_from, native_bf16, save_classifier
from stance.model.encoding import collate
from stance.model.predict import (
    Prediction,
    calibrated_probs,
    claim_sentiment,
    encode_examples,
    features,
    predict_proba,
)
from stance.quiet import quiet_library_notices
from stance.shared import missing_shared
from stance.train.guard import check_output_dir
from stance.train.model_card import write_model_card
from stance.train.warm_start import choose_init_from
from stance.types import PairExample

log = logging.getLogger("stance.train")


class EncodedDataset(torch.utils.data.Dataset):
    """Pairs encoded once with `encode_pair`, the same encoding scoring uses; stance and sentiment label ids
    (-100 where a source does not label one)."""

    def __init__(self, loaded: LoadedModel, examples: list[PairExample]):
        label_ids = {label: i for i, label in enumerate(loaded.labels)}
        sentiment_ids = {label: i for i, label in enumerate(loaded.sentiment_labels)}
        encoded = encode_examples(loaded.tokenizer, loaded.model_cfg, examples)
        self.items = [features(e, label_ids.get(ex.label), sentiment_ids.get(ex.sentiment, -100))
                      for e, ex in zip(encoded, examples)]
        self.windowed = sum(e.windowed for e in encoded)
        self.context_cut = sum(e.context_cut for e in encoded)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict:
        return self.items[index]


def source_name(source: DictConfig) -> str:
    return source.name or Path(source.path).stem


def load_data(cfg: DictConfig, labels: list[str]) -> tuple[list[PairExample], dict, dict]:
    """The training mix (each source at its `weight`), the dev sets and the test sets by name; every problem
    in every file is reported before training starts."""
    sources = [source.path for split in ("train", "dev", "test") for source in cfg.data[split]]
    if problem := missing_shared(cfg.paths.shared, sources, "training on these data sources"):
        raise DataError([problem])
    problems: list[str] = []
    mix, sets = [], {"dev": {}, "test": {}}
    for source in cfg.data.train:
        try:
            mix.append((load_source(source, labels), source.weight))
        except DataError as error:
            problems.extend(error.problems)
    for split in ("dev", "test"):
        for source in cfg.data[split]:
            try:
                sets[split][source_name(source)] = load_source(source, labels)
            except DataError as error:
                problems.extend(error.problems)
    if not cfg.data.train or not cfg.data.dev:
        problems.append("config: data.train and data.dev each need at least one source")
    if problems:
        raise DataError(problems)
    return mix_sources(mix, cfg.trainer.seed), sets["dev"], sets["test"]


def subsample(examples: list[PairExample], limit: int | None, seed: int) -> list[PairExample]:
    if limit is None or limit >= len(examples):
        return examples
    return random.Random(seed).sample(examples, limit)


def set_metrics(loaded: LoadedModel, examples: list[PairExample], prediction) -> dict:
    """Stance metrics over the pairs with a stance label (and ECE), claim-sentiment metrics where labelled."""
    stance = [i for i, e in enumerate(examples) if e.label is not None]
    probs = prediction.probs[stance]
    predicted = [loaded.labels[i] for i in probs.argmax(axis=1)]
    gold = [examples[i].label for i in stance]
    result = classification_metrics(gold, predicted, loaded.labels)
    correct = np.array([g == p for g, p in zip(gold, predicted)])
    result["ece"] = expected_calibration_error(probs.max(axis=1), correct)["ece"]
    result["windowed"] = int(sum(prediction.windowed))
    result["context_cut"] = int(sum(prediction.context_cut))
    if prediction.sentiment_probs is not None:
        gold_sentiment, sentiment_probs = claim_sentiment(examples, prediction.sentiment_probs)
        if gold_sentiment:
            labels = loaded.sentiment_labels
            result["sentiment"] = classification_metrics(
                gold_sentiment, [labels[i] for i in sentiment_probs.argmax(axis=1)], labels)
    return result


def evaluate_sets(loaded: LoadedModel, sets: dict[str, list[PairExample]], batch_size: int) -> dict:
    """Metrics per named set through `predict_proba`, exactly the scoring path."""
    return {name: set_metrics(loaded, examples, predict_proba(loaded, examples, batch_size))
            for name, examples in sets.items()}


def calibrate(loaded: LoadedModel, dev_sets: dict[str, list[PairExample]], predictions: dict, decision_bias: bool) -> dict:
    """Fit the temperature on the dev sets' raw logits (`predictions`, made without calibration) and, with
    `decision_bias`, a per-class bias where it raises the mean dev macro-F1; sets `loaded.calibration`."""
    logits, gold, names = [], [], []
    for name, examples in dev_sets.items():
        labelled = [i for i, e in enumerate(examples) if e.label is not None]
        logits.append(predictions[name].logits[labelled])
        gold += [loaded.labels.index(examples[i].label) for i in labelled]
        names += [name] * len(labelled)
    logits, gold, names = np.concatenate(logits), np.array(gold), np.array(names)

    def mean_f1(gold_ids: np.ndarray, predicted_ids: np.ndarray) -> float:
        return mean_source_f1(gold_ids, predicted_ids, names, len(loaded.labels))

    loaded.calibration = fit_calibration(logits, gold, mean_f1 if decision_bias else None)
    return {"nll_before": nll(logits, gold, None), "nll_after": nll(logits, gold, loaded.calibration),
            **loaded.calibration}


def recalibrated(prediction: Prediction, calibration: dict | None) -> Prediction:
    """The same prediction with its probabilities recomputed from the raw logits under `calibration`."""
    return replace(prediction, probs=calibrated_probs(prediction.logits, calibration))


def mean_source_f1(gold: np.ndarray, predicted: np.ndarray, names: np.ndarray, n_labels: int) -> float:
    """The dev-mix selection metric: the mean over dev sources of each source's macro-F1 (label ids)."""
    labels = list(range(n_labels))
    return float(np.mean([f1_score(gold[names == n], predicted[names == n], labels=labels, average="macro",
                                   zero_division=0) for n in dict.fromkeys(names)]))


def use_bf16() -> bool:
    """bfloat16 autocast pays where the hardware has it natively: a bf16 GPU, or a CPU with AVX512-BF16/AMX."""
    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    return native_bf16()


def training_arguments(cfg: DictConfig) -> TrainingArguments:
    t = cfg.trainer
    bf16 = t.bf16 if t.bf16 is not None else use_bf16()
    return TrainingArguments(
        output_dir=cfg.checkpoint_dir,
        num_train_epochs=t.epochs,
        max_steps=t.max_steps,
        learning_rate=t.learning_rate,
        per_device_train_batch_size=t.batch_size,
        per_device_eval_batch_size=t.eval_batch_size,
        weight_decay=t.weight_decay,
        warmup_steps=float(t.warmup_ratio),
        eval_strategy=t.eval_strategy,
        save_strategy=t.eval_strategy,
        eval_steps=t.eval_steps,
        save_steps=t.eval_steps,
        load_best_model_at_end=True,
        metric_for_best_model="f1_macro",
        greater_is_better=True,
        save_total_limit=1,
        logging_steps=t.logging_steps,
        seed=t.seed,
        data_seed=t.seed,
        report_to=[],
        remove_unused_columns=False,
        label_names=["labels", "sentiment_labels"],
        dataloader_num_workers=0,
        dataloader_pin_memory=False,
        disable_tqdm=False,
        bf16=bf16,
        use_cpu=bf16 and not torch.cuda.is_available(),  # bf16 autocast on the CPU
    )


def train(cfg: DictConfig) -> dict:
    """Train, calibrate on dev, evaluate on dev and test sets, save the model directory; returns the metrics."""
    check_output_dir(cfg.output_dir, cfg.overwrite)  # before anything slow: never replace a model silently
    if cfg.trainer.threads:
        torch.set_num_threads(cfg.trainer.threads)
    model_cfg = OmegaConf.to_container(cfg.model, resolve=True)
    labels = list(model_cfg["labels"])
    train_examples, dev_sets, test_sets = load_data(cfg, labels)
    train_examples = subsample(train_examples, cfg.trainer.max_train_samples, cfg.trainer.seed)
    dev_sets = {name: subsample(ex, cfg.trainer.max_eval_samples, cfg.trainer.seed) for name, ex in dev_sets.items()}
    dev_examples = [e for examples in dev_sets.values() for e in examples]
    dev_names = np.array([name for name, examples in dev_sets.items() for e in examples if e.label is not None])

    set_seed(cfg.trainer.seed)  # before the heads are initialised
    loaded = build_classifier(model_cfg)
    start_dir, why = choose_init_from(model_cfg, sum(e.label is not None for e in train_examples),
                                      cfg.shipped_model, cfg.small_data_pairs)
    log.info("start: %s (%s)", start_dir or "fresh adapter and heads", why)
    started_from = dict(init_from(loaded, start_dir), why=why) if start_dir else None
    if started_from:
        log.info("continuing from %s: %d tensors taken; fresh: %s; not used: %s", started_from["from"],
                 started_from["taken"], started_from["not_in_saved"], started_from["not_used"])
    counts = Counter(e.label for e in train_examples if e.label is not None)
    if cfg.trainer.class_weights:
        total = sum(counts.values())
        weights = [total / (len(labels) * max(counts[label], 1)) for label in labels]
        loaded.model.class_weights.copy_(torch.tensor(weights))
    train_set, dev_set = EncodedDataset(loaded, train_examples), EncodedDataset(loaded, dev_examples)
    trainable = sum(p.numel() for p in loaded.model.parameters() if p.requires_grad)
    log.info("train %d examples %s (by source %s), dev %d, trainable parameters %d, windowed %d, context cut %d",
             len(train_set), dict(counts), dict(Counter(e.source for e in train_examples)), len(dev_set),
             trainable, train_set.windowed, train_set.context_cut)

    def compute_metrics(eval_prediction) -> dict:
        predictions = eval_prediction.predictions
        logits = np.asarray(predictions[0] if isinstance(predictions, tuple) else predictions)
        gold = np.asarray(eval_prediction.label_ids[0] if isinstance(eval_prediction.label_ids, tuple)
                          else eval_prediction.label_ids)
        labelled = gold != -100
        predicted, gold = logits[labelled].argmax(axis=1), gold[labelled]
        return {"f1_macro": mean_source_f1(gold, predicted, dev_names, len(labels)),
                "accuracy": float((predicted == gold).mean())}

    pad_id = loaded.tokenizer.pad_token_id or 0
    trainer = Trainer(
        model=loaded.model,
        args=training_arguments(cfg),
        train_dataset=train_set,
        eval_dataset=dev_set,
        data_collator=lambda batch: collate(batch, pad_id),
        compute_metrics=compute_metrics,
        callbacks=[EarlyStoppingCallback(early_stopping_patience=cfg.trainer.early_stopping_patience)],
    )
    started = time.perf_counter()
    outcome = trainer.train()
    train_seconds = time.perf_counter() - started
    # Mixed precision wraps forward in autocast; the figures below are of the float32 model that is saved.
    trainer.accelerator.unwrap_model(trainer.model, keep_fp32_wrapper=False)
    loaded.model.eval()

    stats = {
        "pairs": len(train_set),
        "label_counts": dict(counts),
        "by_source": dict(Counter(e.source for e in train_examples)),
        "trainable_parameters": trainable,
        "seconds": round(train_seconds, 1),
        "samples_per_second": round(outcome.metrics.get("train_samples_per_second", 0.0), 2),
        "epochs_run": round(trainer.state.epoch or 0.0, 2),
        "best_dev_f1_macro": trainer.state.best_metric,
        "torch_threads": torch.get_num_threads(),
        "bf16_autocast": trainer.args.bf16,
        "init_from": started_from,
        "start": why,
    }
    return finish(loaded, cfg, dev_sets, test_sets, stats, save=trainer.is_world_process_zero())


def finish(loaded: LoadedModel, cfg: DictConfig, dev_sets: dict, test_sets: dict, stats: dict,
           save: bool = True) -> dict:
    """After training: calibrate on dev, evaluate every dev and test set, write the model directory whole
    (adapter, heads, calibration, portable config, metrics, card); returns the metrics."""
    loaded.model.eval()
    loaded.calibration = None
    batch = cfg.trainer.eval_batch_size
    raw = {name: predict_proba(loaded, examples, batch) for name, examples in dev_sets.items()}  # once per set
    uncalibrated = {name: set_metrics(loaded, dev_sets[name], p) for name, p in raw.items()}
    calibration = calibrate(loaded, dev_sets, raw, cfg.trainer.decision_bias) if cfg.trainer.calibrate else None
    dev = {name: set_metrics(loaded, dev_sets[name], recalibrated(p, loaded.calibration)) for name, p in raw.items()}
    metrics = {
        "dev": {"f1_macro": float(np.mean([m["f1_macro"] for m in dev.values()])), "sets": dev},
        "dev_uncalibrated": uncalibrated,
        "calibration": calibration,
        "test": evaluate_sets(loaded, test_sets, batch),
        "train": stats,
    }
    if save:
        # Written whole under a temporary name, then renamed: an interruption leaves the previous model intact.
        with atomic_directory(cfg.output_dir) as out:
            save_classifier(loaded, out)
            save_portable(cfg, out)  # paths as ${paths.*}: the directory reads the same on another machine
            (out / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
            write_model_card(out, cfg, metrics)
        log.info("saved %s", cfg.output_dir)
    return metrics


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="train")
def main(cfg: DictConfig) -> None:
    quiet_library_notices()
    cfg.command = "python -m stance.train " + " ".join(sys.argv[1:])
    try:
        metrics = train(cfg)
    except DataError as error:
        error.report()
        sys.exit(1)
    summary = {name: round(m["f1_macro"], 4) for name, m in metrics["test"].items()}
    print(f"dev F1m {metrics['dev']['f1_macro']:.4f}; test F1m {summary}")

