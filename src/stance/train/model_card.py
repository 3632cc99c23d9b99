"""The model card (README.md) written next to every trained model."""
from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from stance.config import REPO_ROOT

LIMITS = """\
- Reads one claim at a time (with the claim before it where `context: previous`): stance built over a
  whole document is only partly seen.
- Texts longer than `max_length` tokens are scored on a window around the first mention (counted as `windowed`);
  a context that does not fit is cut from its start (counted as `context_cut`).
- Figures on small sets (the seed: one document) have wide intervals; see `python -m stance.evaluate`."""


def _row(name: str, m: dict) -> str:
    sentiment = f"{m['sentiment']['f1_macro']:.3f}" if "sentiment" in m else "-"
    return (f"| {name} | {m['n']} | {m['f1_macro']:.3f} | {m['accuracy']:.3f} | {m['f1_polar']:.3f} | "
            f"{m['ece']:.3f} | {sentiment} |")


def _calibration(metrics: dict, decision_bias: bool) -> list[str]:
    calibration = metrics.get("calibration")
    if not calibration:
        return ["- Calibration: none (raw softmax)."]
    before = {n: round(m["ece"], 3) for n, m in metrics["dev_uncalibrated"].items()}
    after = {n: round(m["ece"], 3) for n, m in metrics["dev"]["sets"].items()}
    bias = (f"decision bias {calibration['bias']} (added to the scaled logits; zeros: no bias helped dev macro-F1)"
            if decision_bias else "no decision bias (trainer.decision_bias=false)")
    return [(f"- Calibration fitted on dev: temperature {calibration['temperature']}, {bias}. "
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


def write_model_card(out_dir: str | Path, cfg: DictConfig, metrics: dict) -> Path:
    model, trainer, stats = cfg.model, cfg.trainer, metrics["train"]
    adapter = "full fine-tuning" if model.adapter == "none" else (
        f"LoRA r={model.lora_r}, alpha={model.lora_alpha} on {list(model.lora_target_modules)}"
        + (f", plus {list(model.train_also)} trained in full" if model.train_also else "")
    )
    lines = [
        f"# stance model `{cfg.name}`",
        "",
        ("Classifies the author's stance toward a marked actor in a claim as against / neutral / favor"
         + (f", and the claim's sentiment ({', '.join(model.sentiment_labels)})." if model.sentiment_labels else ".")),
        "",
        "## Model",
        f"- Backbone: `{model.backbone}`; {adapter}; head over `{model.pooling}` pooling.",
        (f"- Input: `{model.encoding}` encoding with markers `{model.marker_open} ... {model.marker_close}`, "
         f"max length {model.max_length} tokens."),
        f"- Trainable parameters: {stats['trainable_parameters']:,}. Labels (index order): {list(model.labels)}.",
        "",
        "## Training",
        (f"- Data (examples per source, after weights): {stats.get('by_source', {})}; {stats['pairs']} examples, "
         f"stance labels {stats['label_counts']}; files: {_files(cfg)}. Selected on the mean macro-F1 of the dev sets "
         f"{', '.join(s.name or s.path for s in cfg.data.dev)} (early stopping patience "
         f"{trainer.early_stopping_patience}): best epoch {_f1(stats.get('best_dev_f1_macro'))} as logged in "
         f"training; dev {metrics['dev']['f1_macro']:.4f} after calibration, as printed at the end."),
        (f"- Continued from `{_shown(stats['init_from']['from'])}` (its adapter and heads)" if stats.get("init_from") else
         "- Started from the backbone alone (fresh adapter and heads)")
        + (f": {stats['start']}." if stats.get("start") else "."),
        (f"- {stats['epochs_run']} epochs, lr {trainer.learning_rate}, batch {trainer.batch_size}, "
         f"seed {trainer.seed}, class weights {trainer.class_weights}."),
        (f"- Time: {_duration(stats['seconds'])} on {stats['torch_threads']} CPU threads, "
         f"{stats['samples_per_second']} samples/s"
         f"{', bfloat16 autocast' if stats.get('bf16_autocast') else ''}." if stats.get("seconds") is not None else
         f"- Stopped after step {stats.get('global_step')} and finished from its checkpoint "
         f"`{stats.get('finished_from_checkpoint')}` (scripts/finish_checkpoint.py); training time not measured."),
        f"- Command: `{cfg.command or 'python -m stance.train'}`",
        "",
        "## Metrics",
        "F1m = macro-F1 over the three classes (as in the NewsMTSC paper); F1 polar = macro-F1 over against+favor.",
        "",
        *_calibration(metrics, cfg.trainer.decision_bias),
        "",
        "| set | pairs | F1m | accuracy | F1 polar | ECE | sentiment F1m (claims) |",
        "|---|---|---|---|---|---|---|",
        *[_row(f"{name} (dev)", m) for name, m in metrics["dev"]["sets"].items()],
        *[_row(name, m) for name, m in metrics["test"].items()],
        "",
        "## Limits",
        LIMITS,
        "",
    ]
    path = Path(out_dir) / "README.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
