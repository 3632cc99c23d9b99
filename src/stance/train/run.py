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
from pathlib import Path

import hydra
import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf
from transformers import EarlyStoppingCallback, Trainer, TrainingArguments, set_seed

from stance.config import CONF_DIR, save_resolved
from stance.data.sources import DataError, load_source, load_sources
from stance.model.encoding import collate
from stance.evaluate.metrics import classification_metrics
from stance.model.classifier import LoadedModel, build_classifier, native_bf16, save_classifier
from stance.train.model_card import write_model_card
from stance.model.predict import encode_examples, features, predict_proba
from stance.types import PairExample

log = logging.getLogger("stance.train")


class EncodedDataset(torch.utils.data.Dataset):
    """Pairs encoded once with `encode_pair`, the same encoding scoring uses."""

    def __init__(self, loaded: LoadedModel, examples: list[PairExample]):
        label_ids = {label: i for i, label in enumerate(loaded.labels)}
        encoded = encode_examples(loaded.tokenizer, loaded.model_cfg, examples)
        self.items = [features(e, label_ids[ex.label]) for e, ex in zip(encoded, examples)]
        self.windowed = sum(e.windowed for e in encoded)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict:
        return self.items[index]


def load_data(cfg: DictConfig, labels: list[str]) -> tuple[list[PairExample], list[PairExample], dict]:
    """Train, dev and named test sets; every problem in every file is reported before training starts."""
    problems: list[str] = []
    train, dev, tests = [], [], {}
    for split, sources in (("train", cfg.data.train), ("dev", cfg.data.dev)):
        try:
            loaded = load_sources(sources, labels)
            train, dev = (loaded, dev) if split == "train" else (train, loaded)
        except DataError as error:
            problems.extend(error.problems)
    for source in cfg.data.test:
        try:
            tests[source.name or Path(source.path).stem] = load_source(source, labels)
        except DataError as error:
            problems.extend(error.problems)
    if not cfg.data.train or not cfg.data.dev:
        problems.append("config: data.train and data.dev each need at least one source")
    if problems:
        raise DataError(problems)
    return train, dev, tests


def subsample(examples: list[PairExample], limit: int | None, seed: int) -> list[PairExample]:
    if limit is None or limit >= len(examples):
        return examples
    return random.Random(seed).sample(examples, limit)


def evaluate_sets(loaded: LoadedModel, sets: dict[str, list[PairExample]], batch_size: int) -> dict:
    """Metrics per named set through `predict_proba`, exactly the scoring path."""
    results = {}
    for name, examples in sets.items():
        prediction = predict_proba(loaded, examples, batch_size)
        predicted = [loaded.labels[i] for i in prediction.probs.argmax(axis=1)]
        results[name] = classification_metrics([e.label for e in examples], predicted, loaded.labels)
        results[name]["windowed"] = int(sum(prediction.windowed))
    return results


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
        label_names=["labels"],
        dataloader_num_workers=0,
        dataloader_pin_memory=False,
        disable_tqdm=False,
        bf16=bf16,
        use_cpu=bf16 and not torch.cuda.is_available(),  # bf16 autocast on the CPU
    )


def train(cfg: DictConfig) -> dict:
    """Train, evaluate on dev and test sets, save the model directory; returns the metrics."""
    if cfg.trainer.threads:
        torch.set_num_threads(cfg.trainer.threads)
    model_cfg = OmegaConf.to_container(cfg.model, resolve=True)
    labels = list(model_cfg["labels"])
    train_examples, dev_examples, test_sets = load_data(cfg, labels)
    train_examples = subsample(train_examples, cfg.trainer.max_train_samples, cfg.trainer.seed)
    dev_examples = subsample(dev_examples, cfg.trainer.max_eval_samples, cfg.trainer.seed)

    set_seed(cfg.trainer.seed)  # before the head is initialised
    loaded = build_classifier(model_cfg)
    counts = Counter(e.label for e in train_examples)
    if cfg.trainer.class_weights:
        weights = [len(train_examples) / (len(labels) * max(counts[label], 1)) for label in labels]
        loaded.model.class_weights.copy_(torch.tensor(weights))
    train_set, dev_set = EncodedDataset(loaded, train_examples), EncodedDataset(loaded, dev_examples)
    trainable = sum(p.numel() for p in loaded.model.parameters() if p.requires_grad)
    log.info("train %d pairs %s, dev %d, trainable parameters %d, windowed train pairs %d",
             len(train_set), dict(counts), len(dev_set), trainable, train_set.windowed)

    def compute_metrics(eval_prediction) -> dict:
        predicted = [labels[i] for i in np.asarray(eval_prediction.predictions).argmax(axis=1)]
        gold = [labels[i] for i in eval_prediction.label_ids]
        scores = classification_metrics(gold, predicted, labels)
        return {"f1_macro": scores["f1_macro"], "accuracy": scores["accuracy"]}

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

    metrics = {
        "dev": evaluate_sets(loaded, {"dev": dev_examples}, cfg.trainer.eval_batch_size)["dev"],
        "test": evaluate_sets(loaded, test_sets, cfg.trainer.eval_batch_size),
        "train": {
            "pairs": len(train_set),
            "label_counts": dict(counts),
            "trainable_parameters": trainable,
            "seconds": round(train_seconds, 1),
            "samples_per_second": round(outcome.metrics.get("train_samples_per_second", 0.0), 2),
            "epochs_run": round(trainer.state.epoch or 0.0, 2),
            "best_dev_f1_macro": trainer.state.best_metric,
            "torch_threads": torch.get_num_threads(),
            "bf16_autocast": trainer.args.bf16,
        },
    }
    if trainer.is_world_process_zero():
        out = save_classifier(loaded, cfg.output_dir)
        save_resolved(cfg, out)
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
        write_model_card(out, cfg, metrics)
        log.info("saved %s", out)
    return metrics


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="train")
def main(cfg: DictConfig) -> None:
    cfg.command = "python -m stance.train " + " ".join(sys.argv[1:])
    try:
        metrics = train(cfg)
    except DataError as error:
        error.report()
        sys.exit(1)
    summary = {name: round(m["f1_macro"], 4) for name, m in metrics["test"].items()}
    print(f"dev F1m {metrics['dev']['f1_macro']:.4f}; test F1m {summary}")

