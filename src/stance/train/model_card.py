"""The model card (README.md) written next to every trained model."""
from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

LIMITS = """\
- Trained on English political news (NewsMTSC): sentiment *toward* a target as the sentence portrays it.
  Commentary labelled by GUIDELINE.md (the author's stance) is close but not identical; see the seed-set figures.
- One sentence at a time: irony, stance built across sentences, and implicit targets are missed.
- Texts longer than `max_length` tokens are scored on a window around the first mention (counted as `windowed`).
- The seed set is small (one document); its confidence intervals are wide."""


def _row(name: str, m: dict) -> str:
    return f"| {name} | {m['n']} | {m['f1_macro']:.3f} | {m['accuracy']:.3f} | {m['f1_polar']:.3f} |"


def write_model_card(out_dir: str | Path, cfg: DictConfig, metrics: dict) -> Path:
    model, trainer, stats = cfg.model, cfg.trainer, metrics["train"]
    adapter = "full fine-tuning" if model.adapter == "none" else (
        f"LoRA r={model.lora_r}, alpha={model.lora_alpha} on {list(model.lora_target_modules)}"
        + (f", plus {list(model.train_also)} trained in full" if model.train_also else "")
    )
    lines = [
        f"# stance model `{cfg.name}`",
        "",
        "Classifies the stance toward a marked actor in a sentence as against / neutral / favor.",
        "",
        "## Model",
        f"- Backbone: `{model.backbone}`; {adapter}; head over `{model.pooling}` pooling.",
        (f"- Input: `{model.encoding}` encoding with markers `{model.marker_open} ... {model.marker_close}`, "
         f"max length {model.max_length} tokens."),
        f"- Trainable parameters: {stats['trainable_parameters']:,}. Labels (index order): {list(model.labels)}.",
        "",
        "## Training",
        (f"- Data: {', '.join(s.name or s.path for s in cfg.data.train)} ({stats['pairs']} pairs, "
         f"{stats['label_counts']}); selected on {', '.join(s.name or s.path for s in cfg.data.dev)} "
         f"by macro-F1 (early stopping patience {trainer.early_stopping_patience})."),
        (f"- {stats['epochs_run']} epochs, lr {trainer.learning_rate}, batch {trainer.batch_size}, "
         f"seed {trainer.seed}, class weights {trainer.class_weights}."),
        (f"- Time: {stats['seconds'] / 60:.1f} min on {stats['torch_threads']} CPU threads, "
         f"{stats['samples_per_second']} samples/s"
         f"{', bfloat16 autocast' if stats.get('bf16_autocast') else ''}."),
        f"- Command: `{cfg.command or 'python -m stance.train'}`",
        "",
        "## Metrics",
        "F1m = macro-F1 over the three classes (as in the NewsMTSC paper); F1 polar = macro-F1 over against+favor.",
        "",
        "| set | pairs | F1m | accuracy | F1 polar |",
        "|---|---|---|---|---|",
        _row("dev (model selection)", metrics["dev"]),
        *[_row(name, m) for name, m in metrics["test"].items()],
        "",
        "## Limits",
        LIMITS,
        "",
    ]
    path = Path(out_dir) / "README.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
