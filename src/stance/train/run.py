"""`python -m stance.train`: fine-tune the stance classifier (transformers Trainer) and save a model dir.

Runs unchanged under `accelerate launch` or `torchrun` (the Trainer handles the devices); the model
directory is written by the main process only.
"""
from __future__ import annotations

import json
import logging
import random
import resource
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import hydra
import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf
from transformers import EarlyStoppingCallback, Trainer, TrainingArguments, set_seed

from stance.atomic import atomic_directory
from stance.backbones.install import BackboneNotInstalled
from stance.config import CONF_DIR, save_portable
from stance.data.mixing import expected_label_counts
from stance.data.sources import DataError, load_source
from stance.data.tweets import TWEET_FORMATS, drop_repeated_tweets
from stance.evaluate.metrics import classification_metrics, expected_calibration_error
from stance.model.calibration import fit_calibration, nll
from stance.model.classifier import LoadedModel, build_classifier, init_from, native_bf16, save_classifier
from stance.model.encoding import collate
from stance.model.predict import (
    Prediction,
    calibrated_probs,
    claim_sentiment,
    predict_proba,
)
from stance.quiet import quiet_library_notices
from stance.shared import missing_shared
from stance.train.datasets import EncodedDataset, EpochMix, RedrawEachEpoch
from stance.train.dev_rule import dev_rule, dev_rule_of_predictions, set_score
from stance.train.distill import pair_key, read_teacher_probs
from stance.train.guard import check_output_dir
from stance.train.model_card import write_model_card
from stance.train.warm_start import choose_init_from
from stance.types import PairExample

log = logging.getLogger("stance.train")


def source_name(source: DictConfig) -> str:
    return source.name or Path(source.path).stem


def load_data(cfg: DictConfig, labels: list[str]) -> tuple[list[tuple[list[PairExample], float]], dict, dict]:
    """The training sources with their weights, the dev sets and (with `trainer.eval_test`) the test sets by
    name; every problem in every file is reported before training starts."""
    splits = ("train", "dev", "test") if cfg.trainer.eval_test else ("train", "dev")
    sources = [source.path for split in splits for source in cfg.data[split]]
    if problem := missing_shared(cfg.paths.shared, sources, "training on these data sources"):
        raise DataError([problem])
    problems: list[str] = []
    mix, sets = [], {"dev": {}, "test": {}}
    for source in cfg.data.train:
        try:
            mix.append((load_source(source, labels), source.weight))
        except DataError as error:
            problems.extend(error.problems)
    for split in splits[1:]:
        for source in cfg.data[split]:
            try:
                sets[split][source_name(source)] = load_source(source, labels)
            except DataError as error:
                problems.extend(error.problems)
    if not cfg.data.train or not cfg.data.dev:
        problems.append("config: data.train and data.dev each need at least one source")
    if problems:
        raise DataError(problems)
    tweet_sets = {source_name(s) for split in splits for s in cfg.data[split] if s.format in TWEET_FORMATS}
    dropped = drop_repeated_tweets([e for examples, _ in mix for e in examples], [sets["dev"], sets["test"]],
                                   tweet_sets)
    if dropped:
        log.info("tweet pairs left out of dev/test, their tweet being in an earlier split: %s", dropped)
    return mix, sets["dev"], sets["test"]


def dev_groups(cfg: DictConfig) -> dict[str, str]:
    """Each dev set's source for the dev rule (its `group`, else its own name)."""
    return {source_name(source): source.group or source_name(source) for source in cfg.data.dev}


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
    result["dev_rule_score"] = set_score(np.array(gold), np.array(predicted))  # the set's term in the dev rule
    correct = np.array([g == p for g, p in zip(gold, predicted)])
    result["ece"] = expected_calibration_error(probs.max(axis=1), correct)["ece"]
    result["windowed"] = int(sum(prediction.windowed))
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


def calibrate(loaded: LoadedModel, dev_sets: dict[str, list[PairExample]], predictions: dict) -> dict:
    """Fit the temperature on the dev sets' raw logits (`predictions`, made without calibration); sets
    `loaded.calibration`."""
    logits, gold = [], []
    for name, examples in dev_sets.items():
        labelled = [i for i, e in enumerate(examples) if e.label is not None]
        logits.append(predictions[name].logits[labelled])
        gold += [loaded.labels.index(examples[i].label) for i in labelled]
    logits, gold = np.concatenate(logits), np.array(gold)
    loaded.calibration = fit_calibration(logits, gold)
    return {"nll_before": nll(logits, gold, None), "nll_after": nll(logits, gold, loaded.calibration),
            **loaded.calibration}


def recalibrated(prediction: Prediction, calibration: dict | None) -> Prediction:
    """The same prediction with its probabilities recomputed from the raw logits under `calibration`."""
    return replace(prediction, probs=calibrated_probs(prediction.logits, calibration))


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
    sources, dev_sets, test_sets = load_data(cfg, labels)
    dev_sets = {name: subsample(ex, cfg.trainer.max_eval_samples, cfg.trainer.seed) for name, ex in dev_sets.items()}
    groups = dev_groups(cfg)
    dev_examples = [e for examples in dev_sets.values() for e in examples]
    dev_names = np.array([name for name, examples in dev_sets.items() for e in examples if e.label is not None])

    set_seed(cfg.trainer.seed)  # before the heads are initialised
    loaded = build_classifier(model_cfg)
    labelled_pairs = sum(e.label is not None for examples, _ in sources for e in examples)
    start_dir, why = choose_init_from(model_cfg, labelled_pairs, cfg.shipped_model, cfg.small_data_pairs)
    log.info("start: %s (%s)", start_dir or "fresh adapter and heads", why)
    started_from = dict(init_from(loaded, start_dir), why=why) if start_dir else None
    if started_from:
        log.info("continuing from %s: %d tensors taken; fresh: %s; not used: %s", started_from["from"],
                 started_from["taken"], started_from["not_in_saved"], started_from["not_used"])
    counts = expected_label_counts(sources)
    if cfg.trainer.class_weights:
        total = sum(counts.values())
        weights = [total / (len(labels) * max(counts[label], 1)) for label in labels]
        loaded.model.class_weights.copy_(torch.tensor(weights))
    teacher = read_teacher_probs(cfg.trainer.distill_from, labels) if cfg.trainer.distill_from else None
    if teacher is not None:
        loaded.model.teacher_weight = cfg.trainer.distill_weight
        labelled = [e for examples, _ in sources for e in examples if e.label is not None]
        unscored = sum(pair_key(e) not in teacher for e in labelled)
        log.info("distilling from %s (weight %s): %d of %d labelled training pairs have the teacher's "
                 "probabilities; the other %d learn from their gold label alone", cfg.trainer.distill_from,
                 cfg.trainer.distill_weight, len(labelled) - unscored, len(labelled), unscored)
    train_set = EpochMix(loaded, sources, cfg.trainer.seed, cfg.trainer.max_train_samples, teacher)
    dev_set = EncodedDataset(loaded, dev_examples)
    drawn = Counter(source for source, _ in train_set.draw)
    by_source = {examples[0].source: drawn[i] for i, (examples, _) in enumerate(sources) if examples}
    trainable = sum(p.numel() for p in loaded.model.parameters() if p.requires_grad)
    log.info("train %d examples an epoch, drawn afresh each epoch (by source %s; expected labels %s), dev %d, "
             "trainable parameters %d, windowed %d", len(train_set), by_source,
             {k: round(v) for k, v in counts.items()}, len(dev_set), trainable, train_set.windowed)

    def compute_metrics(eval_prediction) -> dict:
        predictions = eval_prediction.predictions
        logits = np.asarray(predictions[0] if isinstance(predictions, tuple) else predictions)
        gold = np.asarray(eval_prediction.label_ids[0] if isinstance(eval_prediction.label_ids, tuple)
                          else eval_prediction.label_ids)
        labelled = gold != -100
        predicted, gold = logits[labelled].argmax(axis=1), gold[labelled]
        return {"f1_macro": dev_rule_of_predictions(gold, predicted, dev_names, groups),
                "accuracy": float((predicted == gold).mean())}

    pad_id = loaded.tokenizer.pad_token_id or 0
    trainer = Trainer(
        model=loaded.model,
        args=training_arguments(cfg),
        train_dataset=train_set,
        eval_dataset=dev_set,
        data_collator=lambda batch: collate(batch, pad_id),
        compute_metrics=compute_metrics,
        callbacks=[EarlyStoppingCallback(early_stopping_patience=cfg.trainer.early_stopping_patience),
                   RedrawEachEpoch(train_set)],
    )
    started = time.perf_counter()
    outcome = trainer.train()
    train_seconds = time.perf_counter() - started
    # Mixed precision wraps forward in autocast; the figures below are of the float32 model that is saved.
    trainer.accelerator.unwrap_model(trainer.model, keep_fp32_wrapper=False)
    loaded.model.eval()

    stats = {
        "pairs": len(train_set),  # an epoch's
        "label_counts": {k: round(v) for k, v in counts.items()},  # expected an epoch
        "by_source": by_source,
        "trainable_parameters": trainable,
        "seconds": round(train_seconds, 1),
        "samples_per_second": round(outcome.metrics.get("train_samples_per_second", 0.0), 2),
        "epochs_run": round(trainer.state.epoch or 0.0, 2),
        "best_dev_f1_macro": trainer.state.best_metric,
        "torch_threads": torch.get_num_threads(),
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,  # Linux: KB; the process's peak
        "bf16_autocast": trainer.args.bf16,
        "teacher_scored": None if teacher is None else f"{len(labelled) - unscored} of {len(labelled)}",
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
    calibration = calibrate(loaded, dev_sets, raw) if cfg.trainer.calibrate else None
    dev = {name: set_metrics(loaded, dev_sets[name], recalibrated(p, loaded.calibration)) for name, p in raw.items()}
    metrics = {
        # f1_macro: the dev rule (stance.train.dev_rule), the figure that chose the epoch
        "dev": {"f1_macro": dev_rule({n: m["dev_rule_score"] for n, m in dev.items()}, dev_groups(cfg)),
                "rule": "mean over dev sources of macro-F1 over the labels present", "groups": dev_groups(cfg),
                "sets": dev},
        "dev_uncalibrated": uncalibrated,
        "calibration": calibration,
        "test": evaluate_sets(loaded, test_sets, batch),  # empty unless trainer.eval_test=true
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
    except BackboneNotInstalled as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    dev = {name: round(m["dev_rule_score"], 4) for name, m in metrics["dev"]["sets"].items()}
    print(f"dev rule {metrics['dev']['f1_macro']:.4f} (per set {dev})")
    if metrics["test"]:
        print(f"test F1m { {name: round(m['f1_macro'], 4) for name, m in metrics['test'].items()} }")

