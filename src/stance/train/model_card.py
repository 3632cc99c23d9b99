"""The model card (README.md) written next to every trained model."""
from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from stance.config import REPO_ROOT

LIMITS = """\
- Reads one claim at a time: stance built over a whole document is only partly seen.
- Texts longer than `max_length` tokens are scored on a window around the first mention (counted as `windowed`).
- Figures on small sets (the seed: one document) have wide intervals; see `python -m stance.evaluate`."""


def _row(name: str, m: dict) -> str:
    sentiment = f"{m['sentiment']['f1_macro']:.3f}" if "sentiment" in m else "-"
    return (f"| {name} | {m['n']} | {m['f1_macro']:.3f} | {m['accuracy']:.3f} | {m['f1_polar']:.3f} | "
            f"{m['ece']:.3f} | {sentiment} |")


def _calibration(metrics: dict) -> list[str]:
    calibration = metrics.get("calibration")
    if not calibration:
        return ["- Calibration: none (raw softmax)."]
    before = {n: round(m["ece"], 3) for n, m in metrics["dev_uncalibrated"].items()}
    after = {n: round(m["ece"], 3) for n, m in metrics["dev"]["sets"].items()}
    return [(f"- Calibration fitted on dev: temperature {calibration['temperature']}. "
             f"Dev NLL {calibration['nll_before']:.3f} -> {calibration['nll_after']:.3f}; dev ECE before {before}, "
             f"after {after}.")]


def _duration(seconds: float) -> str:
    """Seconds under two minutes (a small run is not "0.0 min"), minutes above."""
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _f1(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _shown(path: str) -> str:
    """A path in the repository or beside it as the repository sees it (`data/...`, `../shared/...`), so a card
    reads the same on every clone; any other path as it is."""
    resolved = Path(path).resolve()
    for base, prefix in ((REPO_ROOT, ""), (REPO_ROOT.parent, "../")):
        if resolved.is_relative_to(base):
            return prefix + str(resolved.relative_to(base))
    return path


def _files(cfg: DictConfig) -> str:
    """Each training source's file (and the part of it used, where a source has one)."""
    return "; ".join(f"{s.name or Path(s.path).stem} = {_shown(s.path)}" + (f" ({s.split})" if s.get("split") else "")
                     for s in cfg.data.train)


# What each shared data set's SOURCE.md says of its terms (../shared/data/*/SOURCE.md).
LICENCES = {
    "newsmtsc": "NewsMTSC: MIT (Hamborg & Donnay, EACL 2021)",
    "persent": "PerSenT: CC BY 4.0 per its datasets card, no licence in the repository (Bastan et al., COLING 2020)",
    "pstance": "P-Stance: research use, no licence stated by the copy; cite Li et al., Findings of ACL 2021",
    "semeval": "SemEval-2016 Task 6: research use, do not redistribute; cite Mohammad et al., SemEval 2016",
    "ruw": "RUW: research use, no licence stated by the repository (multi-target/RUW)",
    "gold": "the project's own labelled files (data/commentary: written and labelled for the project)",
}


def _sources(metrics: dict) -> str:
    groups = metrics["dev"].get("groups") or {name: name for name in metrics["dev"]["sets"]}
    by_source: dict[str, list[str]] = {}
    for name, source in groups.items():
        by_source.setdefault(source, []).append(name)
    return "; ".join(f"{source} = {' + '.join(names)}" if names != [source] else source
                     for source, names in by_source.items())


def _partial_labels(cfg: DictConfig) -> list[str]:
    partial = [f"{s.name} ({', '.join(s.label_set)})" for s in cfg.data.train if s.get("label_set")]
    line = ("- Sources that give fewer labels than the model, trained on their own labels only (the loss compares "
            f"those): {'; '.join(partial)}.")
    return [line] if partial else []


def _licences(cfg: DictConfig) -> list[str]:
    formats = dict.fromkeys(s.format for s in cfg.data.train)
    terms = [LICENCES[f] for f in formats if f in LICENCES]
    return [f"- Data terms: {'; '.join(terms)}."] if terms else []


def write_model_card(out_dir: str | Path, cfg: DictConfig, metrics: dict) -> Path:
    model, trainer, stats = cfg.model, cfg.trainer, metrics["train"]
    adapter = "full fine-tuning" if model.adapter == "none" else (
        f"LoRA r={model.lora_r}, alpha={model.lora_alpha} on {list(model.lora_target_modules)}"
        + (f", plus {list(model.train_also)} trained in full" if model.train_also else "")
        + (f", in the layers above the lowest {model.frozen_layers} (kept as pretrained)"
           if model.get("frozen_layers") else "")
    )
    lines = [
        f"# stance model `{cfg.name}`",
        "",
        ("Classifies the author's stance toward a marked actor in a claim as against / neutral / favor"
         + (f", and the claim's sentiment ({', '.join(model.sentiment_labels)})." if model.sentiment_labels else ".")),
        "",
        "## Model",
        f"- Backbone: `{model.backbone}`; {adapter}; head over [CLS] and the first marker.",
        (f"- Input: the claim with the actor's mentions marked `{model.marker_open} ... {model.marker_close}`, "
         f"max length {model.max_length} tokens."),
        f"- Trainable parameters: {stats['trainable_parameters']:,}. Labels (index order): {list(model.labels)}.",
        "",
        "## Training",
        (f"- Data (examples per source, after weights): {stats.get('by_source', {})}; {stats['pairs']} examples, "
         f"stance labels {stats['label_counts']} (expected an epoch); files: {_files(cfg)}. The mix is drawn afresh "
         f"each epoch. Selected by the dev rule (stance.train.dev_rule: the mean over dev sources of macro-F1 over "
         f"the labels present; sources {_sources(metrics)}; early stopping patience "
         f"{trainer.early_stopping_patience}): best epoch {_f1(stats.get('best_dev_f1_macro'))} as logged in "
         f"training; {metrics['dev']['f1_macro']:.4f} after calibration, as printed at the end."),
        *_partial_labels(cfg),
        *_licences(cfg),
        (f"- Continued from `{_shown(stats['init_from']['from'])}` (its adapter and heads)" if stats.get("init_from") else
         "- Started from the backbone alone (fresh adapter and heads)")
        + (f": {stats['start']}." if stats.get("start") else "."),
        *([(f"- Distilled: the stance target is {1 - trainer.distill_weight:g} x the gold label + "
            f"{trainer.distill_weight:g} x the teacher's probabilities from `{_shown(trainer.distill_from)}` "
            f"({stats['teacher_scored']} labelled training pairs scored by it; stance.train.distill).")]
          if trainer.get("distill_from") else []),
        (f"- {stats['epochs_run']} epochs, lr {trainer.learning_rate}, batch {trainer.batch_size}, "
         f"seed {trainer.seed}, class weights {trainer.class_weights}."),
        (f"- Time: {_duration(stats['seconds'])} on {stats['torch_threads']} CPU threads, "
         f"{stats['samples_per_second']} samples/s"
         f"{', bfloat16 autocast' if stats.get('bf16_autocast') else ''}"
         + (f", peak memory {stats['peak_memory_mb']:,} MB." if stats.get("peak_memory_mb") else ".")),
        f"- Command: `{cfg.command or 'python -m stance.train'}`",
        "",
        "## Metrics",
        "F1m = macro-F1 over the three classes (as in the NewsMTSC paper); F1 polar = macro-F1 over against+favor.",
        "",
        *_calibration(metrics),
        "",
        "| set | pairs | F1m | accuracy | F1 polar | ECE | sentiment F1m (claims) |",
        "|---|---|---|---|---|---|---|",
        *[_row(f"{name} (dev)", m) for name, m in metrics["dev"]["sets"].items()],
        *[_row(name, m) for name, m in metrics["test"].items()],
        "",
        ("Test sets are not evaluated by training (trainer.eval_test=false): test figures come from "
         "`python -m stance.evaluate`." if not metrics["test"] else "Test sets evaluated on request (trainer.eval_test=true)."),
        "",
        "## Limits",
        LIMITS,
        "",
    ]
    path = Path(out_dir) / "README.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
