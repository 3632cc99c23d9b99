"""`python -m stance.evaluate`: metrics, baselines and a report for one or more stance models on gold sets.

Per set: given pairs (each system labels the gold (claim, actor) pairs); for a set with documents, the
(document, actor) labels `actor_label` gives them (`stance.evaluate.document_level`); for a gold set with its
document text, end to end (`stance.evaluate.end_to_end`: the pipeline's own claims and actors matched to the
gold pairs; a gold pair with no match is a row predicted "missed", a predicted pair with no match a row with
gold "spurious", both wrong). Every interval resamples documents, or the claims of a one-document set
(`stance.evaluate.units`). `mode=agreement a=FILE b=FILE` compares two gold-format label files instead.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf

from stance.analyse.actor_files import apply_actor_files
from stance.analyse.registry import RegistryError
from stance.config import CONF_DIR, save_resolved
from stance.data.sources import DEFAULT_LABELS, DataError, load_source
from stance.data.validate import read_gold_rows
from stance.evaluate.baselines import Scored, build_baselines
from stance.evaluate.document_level import actor_groups, document_gold
from stance.evaluate.end_to_end import DocumentPairs, document_pairs, pipeline_analyser
from stance.evaluate.metrics import (
    detection_scores,
    evaluation_metrics,
    label_agreement,
    paired_bootstrap_difference,
)
from stance.evaluate.report import agreement_blocks, agreement_text, report_blocks, summary_text, write_report
from stance.evaluate.rows import (
    Rows,
    document_rows,
    end_to_end_document_rows,
    end_to_end_rows,
    given_pair_rows,
)
from stance.evaluate.units import resampling_units
from stance.model.classifier import LoadedModel, load_classifier
from stance.model.predict import claim_sentiment, predict_proba
from stance.quiet import quiet_library_notices
from stance.shared import missing_shared
from stance.types import ClaimActors, PairExample

log = logging.getLogger("stance.evaluate")
DELTA_KEYS = ("accuracy", "f1_macro", "f1_macro_present", "f1_polar")


class ModelSystem:
    """A saved stance model behind the same `predict` interface as the baselines."""

    kind = "model"

    def __init__(self, name: str, model_dir: str, loaded: LoadedModel, batch_size: int):
        self.name, self.model_dir, self.loaded, self.batch_size = name, model_dir, loaded, batch_size
        self.labels = list(loaded.labels)  # the order of `predict`'s columns: the first model's, for all models
        cfg = loaded.model_cfg
        self.description = f"{model_dir} (backbone {cfg['backbone']}, adapter {cfg['adapter']})"

    def predict(self, examples: list[PairExample]) -> Scored:
        prediction = predict_proba(self.loaded, examples, self.batch_size)
        probs = prediction.probs[:, [self.loaded.labels.index(label) for label in self.labels]]
        labels = [self.labels[i] for i in probs.argmax(axis=1)]
        return Scored(labels, probs, windowed=sum(prediction.windowed))


def load_models(cfg: DictConfig) -> list[ModelSystem]:
    dirs = [str(d) for d in (cfg.model_dir if OmegaConf.is_list(cfg.model_dir) else [cfg.model_dir])]
    missing = [d for d in dirs if not (Path(d) / "stance_model.json").is_file()]
    if missing:
        raise DataError([f"{d}: no such model directory (looked in {Path(d).resolve()})" if not Path(d).is_dir()
                         else f"{d}: not a stance model directory (no stance_model.json)" for d in missing])
    names = [Path(d).name for d in dirs]
    names = names if len(set(names)) == len(names) else dirs  # two dirs with one name: show the paths
    try:
        systems = [ModelSystem(n, d, load_classifier(d), cfg.batch_size) for n, d in zip(names, dirs)]
    except (OSError, ValueError) as error:  # a file missing or altered (stance.model.integrity), weights that do not fit
        raise DataError([str(error).splitlines()[0]]) from error
    if len({tuple(sorted(s.loaded.labels)) for s in systems}) > 1:
        raise DataError([f"models disagree on their labels: {[s.loaded.labels for s in systems]}"])
    for system in systems[1:]:  # same labels, maybe in another order: every model reports in the first's order
        system.labels = list(systems[0].loaded.labels)
    return systems


def score_systems(systems: list, examples: list[PairExample], views: dict[str, Callable[[Scored], Rows]],
                  cfg: DictConfig, labels: list[str], tags: dict[str, dict], errors: list[dict],
                  unlisted: frozenset[str] = frozenset()) -> dict:
    """Every system predicts `examples` once; each view (`make_rows(scored) -> Rows`: pairs, end to end,
    (document, actor)) gets its own metrics, deltas of models over baselines and model minus model. The
    models' wrong rows go to `errors` with the view's tag (dataset, mode), except those of `unlisted` views."""
    rows_by_view: dict[str, dict] = {view: {} for view in views}
    scored_by_system = {}
    for system in systems:
        scored_by_system[system.name] = scored = system.predict(examples)
        for view, make_rows in views.items():
            rows_by_view[view][system.name] = make_rows(scored)
    return {view: view_results(systems, rows_by_view[view], scored_by_system, cfg, labels, tags[view],
                               None if view in unlisted else errors)
            for view in views}


def view_results(systems: list, rows_of: dict[str, Rows], scored_by_system: dict[str, Scored], cfg: DictConfig,
                 labels: list[str], tag: dict, errors: list[dict] | None) -> dict:
    """One view's metrics of every system, with intervals over the units its rows say."""
    results = {}
    for system in systems:
        rows = rows_of[system.name]
        actors = rows.actors if system.kind == "model" else None  # per-actor tables for the models only
        metrics = evaluation_metrics(rows.gold, rows.predicted, labels, rows.confidence, actors,
                                     cfg.bootstrap_resamples, cfg.seed, cfg.ece_bins, rows.units)
        results[system.name] = dict(metrics, kind=system.kind, description=system.description,
                                    windowed=scored_by_system[system.name].windowed, phenomena=phenomenon_accuracy(rows))
        if system.kind == "model" and errors is not None:
            errors.extend({**tag, "model": system.name, **detail, "gold": g, "predicted": p}
                          for g, p, detail in zip(rows.gold, rows.predicted, rows.details) if g != p)
    models = [s.name for s in systems if s.kind == "model"]
    baselines = [s.name for s in systems if s.kind == "baseline"]
    deltas = {m: {b: {k: results[m][k] - results[b][k] for k in DELTA_KEYS} for b in baselines} for m in models}
    # Side by side: each further model minus the first, on the same rows, with paired bootstrap intervals.
    first = rows_of[models[0]]
    model_deltas = {other: paired_bootstrap_difference(first.gold, first.predicted, rows_of[other].predicted, labels,
                                                       cfg.bootstrap_resamples, cfg.seed, units=first.units)
                    for other in models[1:]}
    return {**tag, "n": len(first.gold), "resampled": results[models[0]]["resampled"], "systems": results,
            "deltas": deltas,
            "model_deltas": {"baseline_model": models[0], "models": model_deltas} if model_deltas else None}


def phenomenon_accuracy(rows: Rows) -> dict:
    """Accuracy per hard-case tag (commentary set: reported, bystander, irony, ...) over the rows carrying it."""
    by_tag: dict[str, list[bool]] = {}
    for gold, predicted, detail in zip(rows.gold, rows.predicted, rows.details):
        for tag in detail["phenomena"]:
            by_tag.setdefault(tag, []).append(gold == predicted)
    return {tag: {"n": len(hits), "accuracy": sum(hits) / len(hits)} for tag, hits in sorted(by_tag.items())}


def sentiment_results(systems: list, examples: list[PairExample], cfg: DictConfig) -> dict | None:
    """Claim sentiment (macro-F1 with intervals) of every model with a sentiment head and of VADER on the
    claim text, where the set labels it; None where it does not."""
    if not any(e.sentiment for e in examples):
        return None
    first_of_claim: dict[str, PairExample] = {}  # the claims in `claim_sentiment`'s order (doc:claim of a pair_id)
    for example in examples:
        if example.sentiment:
            first_of_claim.setdefault(":".join(example.pair_id.split(":")[:2]), example)
    claims = list(first_of_claim.values())
    units, results = resampling_units(claims), {}
    for system in systems:
        names = getattr(system, "loaded", None) and system.loaded.sentiment_labels
        if names:
            prediction = predict_proba(system.loaded, examples, cfg.batch_size)
            gold, probs = claim_sentiment(examples, prediction.sentiment_probs)
            predicted, confidence = [names[i] for i in probs.argmax(axis=1)], list(probs.max(axis=1))
        elif system.name == "vader":
            gold = [e.sentiment for e in claims]
            predicted, confidence = vader_sentiment(system, [e.text for e in claims]), None
        else:
            continue
        labels = sorted(set(gold) | set(predicted), key=["negative", "neutral", "positive"].index)
        results[system.name] = evaluation_metrics(gold, predicted, labels, confidence, None,
                                                  cfg.bootstrap_resamples, cfg.seed, cfg.ece_bins, units)
    return {"n": len(claims), "resampled": units.describe(), "systems": results} if results else None


def vader_sentiment(vader, texts: list[str]) -> list[str]:
    """VADER's compound score as a claim sentiment: >= 0.05 positive, <= -0.05 negative, else neutral."""
    scores = [vader.analyzer.polarity_scores(text)["compound"] for text in texts]
    return ["positive" if s >= 0.05 else "negative" if s <= -0.05 else "neutral" for s in scores]


def score_document(doc: DocumentPairs, systems: list, cfg: DictConfig, labels: list[str], errors: list[dict],
                   gold: dict | None) -> dict[str, dict]:
    """End to end on a set's documents: pair metrics with stance credit only for a pair linked to the gold
    pair's actor (the lenient figure, any touching pair, beside it), actor detection, claim-split agreement,
    and with `gold` (document, actor) labels, the labels of actors.csv against them."""
    views = {"end_to_end": lambda scored: end_to_end_rows(doc, doc.same_actor, scored, labels),
             "lenient": lambda scored: end_to_end_rows(doc, doc.lenient, scored, labels)}
    tags = {"end_to_end": {"dataset": doc.name, "mode": "end_to_end"},
            "lenient": {"dataset": doc.name, "mode": "end_to_end_lenient"}}
    if gold is not None:
        views["documents_end_to_end"] = lambda scored: end_to_end_document_rows(doc, scored, labels, gold[0])
        tags["documents_end_to_end"] = {"dataset": doc.name, "mode": "documents_end_to_end", "gold_labels": gold[1]}
    results = score_systems(systems, doc.predicted, views, cfg, labels, tags, errors, frozenset({"lenient"}))
    result, lenient = results["end_to_end"], results["lenient"]
    result["lenient"] = {name: {k: m[k] for k in ("n", "accuracy", "f1_macro", "f1_polar", "bootstrap_ci")}
                         for name, m in lenient["systems"].items()}
    strict, loose = doc.same_actor, doc.lenient
    result["matching"] = {"matched": len(strict.matched), "missed": len(strict.missed),
                          "spurious": len(strict.spurious),
                          "lenient": {"matched": len(loose.matched), "missed": len(loose.missed),
                                      "spurious": len(loose.spurious),
                                      "same_actor_name": sum(doc.gold[g].actor == doc.predicted[p].actor
                                                             for g, p in loose.matched)}}
    result["detection"] = detection_scores(len(strict.matched), len(strict.spurious), len(strict.missed))
    result["detection_any_touch"] = doc.touch_detection
    result["claims"] = doc.claims
    return {key: value for key, value in results.items() if key != "lenient"}


def load_sets(cfg: DictConfig, labels: list[str], analyse: Callable[[str], list[ClaimActors]] | None) -> list[tuple]:
    """(set config, gold pairs, DocumentPairs or None) per configured set; every set is read and checked
    (and every document analysed) before anything slow runs, and all their problems are reported together."""
    loaded, problems = [], []
    for set_cfg in cfg.datasets:
        try:
            examples = load_source(set_cfg.source, labels)
            if set_cfg.document:
                analyse = analyse or pipeline_analyser(cfg)
                loaded.append((set_cfg, examples, document_pairs(set_cfg, examples, analyse)))
            else:
                loaded.append((set_cfg, examples, None))
        except DataError as error:
            problems.extend(error.problems)
    if problems:
        raise DataError(problems)
    if not loaded:
        raise DataError(["config: no datasets to evaluate on (datasets is empty)"])
    return loaded


def run_evaluate(cfg: DictConfig, analyse: Callable[[str], list[ClaimActors]] | None = None) -> dict:
    """Evaluate the models and baselines on every configured set; write report.md/html, metrics.json,
    errors.jsonl and config.yaml to cfg.output. Returns the metrics. `analyse` replaces the configured
    claim splitting + actor detection of the end-to-end mode (tests)."""
    started = time.perf_counter()
    needed = [p for d in cfg.datasets for p in (d.source.path, d.document)] + [s.path for s in cfg.baselines.train]
    if problem := missing_shared(cfg.paths.shared, needed, "evaluation on the seed commentary and NewsMTSC"):
        raise DataError([problem])
    try:
        apply_actor_files(cfg)  # actors_file=... merged over the actors group, as scoring does
    except RegistryError as error:
        raise DataError([str(error)]) from None
    models = load_models(cfg)
    labels = list(models[0].loaded.labels)
    sets = load_sets(cfg, labels, analyse)
    first = models[0]
    baselines, baseline_info = build_baselines(cfg.baselines, first.loaded.model_cfg, first.loaded.tokenizer, labels,
                                               first.model_dir, cfg.paths)
    baseline_info["seconds"] = round(time.perf_counter() - started, 1)
    systems = models + baselines
    errors: list[dict] = []
    results = {}
    for set_cfg, all_examples, doc in sets:
        examples = [e for e in all_examples if e.label is not None]  # not the claims read for sentiment only
        log.info("%s: %d gold pairs", set_cfg.name, len(examples))
        source = {"source": str(set_cfg.source.path), "document": set_cfg.document}
        gold = document_gold(set_cfg.source, examples)
        views = {"given_pairs": lambda scored, ex=examples: given_pair_rows(ex, scored, labels)}
        tags = {"given_pairs": {"dataset": set_cfg.name, "mode": "given_pairs"}}
        if gold is not None:
            views["documents"] = lambda scored, ex=examples, g=gold[0]: document_rows(ex, scored, labels, g)
            tags["documents"] = {"dataset": set_cfg.name, "mode": "documents", "gold_labels": gold[1],
                                 "gold_without_pairs": len(set(gold[0]) - set(actor_groups(examples)))}
        by_view = score_systems(systems, examples, views, cfg, labels, tags, errors)
        results[set_cfg.name] = dict(source, **by_view["given_pairs"])
        results[set_cfg.name]["sentiment"] = sentiment_results(systems, all_examples, cfg)
        if "documents" in by_view:
            results[f"{set_cfg.name}/documents"] = dict(source, **by_view["documents"])
        if doc is not None:
            for view, result in score_document(doc, systems, cfg, labels, errors, gold).items():
                results[f"{set_cfg.name}/{view}"] = dict(source, **result)
    metrics = {
        "labels": labels,
        "models": {m.name: {"model_dir": m.model_dir, "description": m.description} for m in models},
        "baselines": baseline_info,
        "bootstrap": {"resamples": cfg.bootstrap_resamples, "seed": cfg.seed, "level": 0.95},
        "ece_bins": cfg.ece_bins,
        "errors": len(errors),
        "datasets": results,
        "seconds": round(time.perf_counter() - started, 1),
    }
    out = Path(cfg.output)
    save_resolved(cfg, out)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
    with (out / "errors.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(error, ensure_ascii=False) + "\n" for error in errors)
    write_report(out, report_blocks(metrics, cfg.top_actors))
    return metrics


def read_label_file(path: str) -> list[dict]:
    """The rows of a gold-format file, every one checked by the strict gold reader."""
    problems: list[str] = []
    rows = read_gold_rows(path, problems)
    if problems:
        raise DataError(problems)
    return [row for _, row in rows]


def run_agreement(cfg: DictConfig) -> dict:
    """Inter-annotator agreement of label files `cfg.a` and `cfg.b`; writes metrics.json and report.md/html."""
    if not cfg.a or not cfg.b:
        raise DataError(["mode=agreement needs a=FILE and b=FILE (two gold-format label files)"])
    rows_a, rows_b = read_label_file(cfg.a), read_label_file(cfg.b)
    result = dict(label_agreement(rows_a, rows_b, list(DEFAULT_LABELS)), a=cfg.a, b=cfg.b)
    out = Path(cfg.output)
    save_resolved(cfg, out)
    (out / "metrics.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    write_report(out, agreement_blocks(result))
    return result


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="evaluate")
def main(cfg: DictConfig) -> None:
    quiet_library_notices()
    modes = {"evaluate": run_evaluate, "agreement": run_agreement}
    if cfg.mode not in modes:
        sys.exit(f"config: unknown mode {cfg.mode!r} (expected evaluate or agreement)")
    try:
        result = modes[cfg.mode](cfg)
    except DataError as error:
        error.report()
        sys.exit(1)
    print(summary_text(result) if cfg.mode == "evaluate" else agreement_text(result))
    print(f"wrote {Path(cfg.output) / 'report.html'} (report.md, metrics.json{', errors.jsonl' if cfg.mode == 'evaluate' else ''}, config.yaml)")

