"""`python -m stance.evaluate`: metrics, baselines and a report for one or more stance models on gold sets.

Given pairs: each system labels the gold (claim, actor) pairs. End to end (a gold set with its document):
the pipeline splits the document into claims and finds the actors itself; its (claim, actor) pairs are
matched one to one to the gold pairs by overlapping mention spans within overlapping claims
(`stance.matching.match_pairs`, the matching actor-detection measurement uses too). A gold pair with no
match is a row predicted "missed" (wrong; lowers the recall of its gold label), a predicted pair with no
match is a row with gold "spurious" (wrong; lowers the precision of the label predicted for it).
`mode=agreement a=FILE b=FILE` compares two gold-format label files instead.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import hydra
import numpy as np
from omegaconf import DictConfig, OmegaConf

from stance.analyse.actor_files import apply_actor_files
from stance.analyse.registry import RegistryError
from stance.config import CONF_DIR, save_resolved
from stance.data.sources import DEFAULT_LABELS, DataError, load_source
from stance.data.validate import check_gold, read_gold_rows
from stance.evaluate.baselines import Scored, build_baselines
from stance.evaluate.matching import PairSpans, detect_pairs, gold_pair_spans, match_pairs
from stance.evaluate.metrics import (
    claim_split_agreement,
    detection_scores,
    evaluation_metrics,
    label_agreement,
    paired_bootstrap_difference,
)
from stance.evaluate.report import agreement_blocks, agreement_text, report_blocks, summary_text, write_report
from stance.model.classifier import LoadedModel, load_classifier
from stance.model.predict import claim_sentiment, predict_proba
from stance.quiet import quiet_library_notices
from stance.score.pipeline import document_pairs as pipeline_pairs
from stance.shared import missing_shared
from stance.types import ClaimActors, PairExample

log = logging.getLogger("stance.evaluate")
MISSED, SPURIOUS = "missed", "spurious"
DELTA_KEYS = ("accuracy", "f1_macro", "f1_macro_present", "f1_polar")


class ModelSystem:
    """A saved stance model behind the same `predict` interface as the baselines."""

    kind = "model"

    def __init__(self, name: str, model_dir: str, loaded: LoadedModel, batch_size: int):
        self.name, self.model_dir, self.loaded, self.batch_size = name, model_dir, loaded, batch_size
        self.labels = list(loaded.labels)  # the order of `predict`'s columns: the first model's, for all models
        cfg = loaded.model_cfg
        self.description = f"{model_dir} (backbone {cfg['backbone']}, adapter {cfg['adapter']}, {cfg['encoding']})"

    def predict(self, examples: list[PairExample]) -> Scored:
        prediction = predict_proba(self.loaded, examples, self.batch_size)
        probs = prediction.probs[:, [self.loaded.labels.index(label) for label in self.labels]]
        labels = [self.labels[i] for i in probs.argmax(axis=1)]
        return Scored(labels, probs, windowed=sum(prediction.windowed))


@dataclass
class Rows:
    """One system's scored rows on one set, aligned: gold, predicted, confidence, actor and the pair shown."""

    labels: list[str]
    gold: list[str] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    confidence: list[float | None] = field(default_factory=list)
    actors: list[str | None] = field(default_factory=list)
    details: list[dict] = field(default_factory=list)

    def add(self, gold: str, predicted: str, example: PairExample, probs: np.ndarray | None, **extra) -> None:
        self.gold.append(gold)
        self.predicted.append(predicted)
        self.confidence.append(None if probs is None else float(probs.max()))
        self.actors.append(example.actor)
        self.details.append({
            "pair_id": example.pair_id, "origin": example.origin, "text": example.text, "actor": example.actor,
            "mentions": [example.text[s.start : s.end] for s in example.spans],
            "probabilities": None if probs is None else {l: round(float(p), 4) for l, p in zip(self.labels, probs)},
            "phenomena": list(example.phenomena),
            **extra,
        })


@dataclass
class DocumentPairs:
    """The gold pairs of a document, the pipeline's pairs for it, and how they match."""

    name: str
    gold: list[PairExample]
    predicted: list[PairExample]
    matched: list[tuple[int, int]]
    missed: list[int]
    spurious: list[int]
    claims: dict
    touch_detection: dict  # found / correct counted without one-to-one matching, as extraction measures it


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


def pipeline_analyser(cfg: DictConfig) -> Callable[[str], list[ClaimActors]]:
    """Claim splitting and actor detection as configured, exactly as scoring runs them."""
    from stance.analyse import DocumentAnalyser

    analyser = DocumentAnalyser.from_config(cfg.segment, cfg.actors)
    return lambda text: analyser([text])[0]


def gold_documents(set_cfg: DictConfig) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """The set's gold rows by document, and each document's text, with every row checked against its document
    (`check_gold`). `document` is the text of a one-document set, or the directory of `<doc_id>.txt` files."""
    path, document = set_cfg.source.path, Path(set_cfg.document)
    one_document = not document.is_dir()
    summary = check_gold(path, document if one_document else None, None if one_document else document)
    problems = list(summary.problems)
    rows_by_doc: dict[str, list[dict]] = {}
    for _, row in summary.valid_rows:
        rows_by_doc.setdefault(str(row["doc_id"]), []).append(row)
    if one_document:
        texts = {doc_id: summary.document for doc_id in rows_by_doc}
        if len(rows_by_doc) > 1:
            problems.append(f"{path}: {len(rows_by_doc)} documents; `document` must then be their directory")
    else:
        texts = summary.documents
        problems += [f"{document / f'{doc_id}.txt'}: document {doc_id} of set {set_cfg.name} not found"
                     for doc_id in summary.unchecked_documents]
    if problems:
        raise DataError(problems)
    return rows_by_doc, texts


def document_pairs(set_cfg: DictConfig, examples: list[PairExample],
                   analyse: Callable[[str], list[ClaimActors]]) -> DocumentPairs:
    """Analyse the set's documents and match the pipeline's (claim, actor) pairs to the gold pairs (`examples`,
    the set as `load_source` read it), document by document. A gold pair is found by its pair_id
    (doc:claim:actor), a predicted pair is the scoring record."""
    by_id = {e.pair_id: e for e in examples if e.label is not None}
    rows_by_doc, texts = gold_documents(set_cfg)
    gold, predicted, matched, missed, spurious = [], [], [], [], []
    claims, touch = {"gold": set(), "predicted": set()}, Counter()
    for doc_id, rows in rows_by_doc.items():
        claim_actors = analyse(texts[doc_id])
        pairs = [p for p in pipeline_pairs(doc_id, claim_actors, with_context=True) if p.actor is not None]
        gold_rows_with_actor = [row for row in rows if row["actor"] is not None]
        gold_spans = gold_pair_spans(gold_rows_with_actor)
        predicted_spans = [PairSpans((p.claim.claim.start, p.claim.claim.end), p.actor,
                                     tuple((m.start, m.end) for m in p.mentions)) for p in pairs]
        matching = match_pairs(gold_spans, predicted_spans)
        g0, p0 = len(gold), len(predicted)
        gold += [by_id[f"{row['doc_id']}:{row['claim_id']}:{row['actor']}"] for row in gold_rows_with_actor]
        predicted += [p.example for p in pairs]
        matched += [(g0 + g, p0 + p) for g, p in matching.matched]
        missed += [g0 + g for g in matching.missed]
        spurious += [p0 + p for p in matching.spurious]
        claims["gold"] |= {(doc_id, int(r["start"]), int(r["end"])) for r in rows}
        claims["predicted"] |= {(doc_id, item.claim.start, item.claim.end) for item in claim_actors}
        touch.update(detect_pairs(gold_spans, predicted_spans).counts())
    touch_detection = dict(touch)
    touch_detection.update(detection_scores(touch["correct"], touch["predicted"] - touch["correct"],
                                            touch["gold"] - touch["found"]))
    return DocumentPairs(set_cfg.name, gold, predicted, matched, missed, spurious,
                         claim_split_agreement(claims["gold"], claims["predicted"]), touch_detection)


def given_pair_rows(examples: list[PairExample], scored: Scored, labels: list[str]) -> Rows:
    rows = Rows(labels)
    for i, example in enumerate(examples):
        rows.add(example.label, scored.labels[i], example, None if scored.probs is None else scored.probs[i])
    return rows


def end_to_end_rows(doc: DocumentPairs, scored: Scored, labels: list[str]) -> Rows:
    """Matched pairs (gold pair shown), then missed gold pairs, then spurious predicted pairs."""
    rows = Rows(labels)
    probs = scored.probs if scored.probs is not None else [None] * len(doc.predicted)
    for g, p in doc.matched:
        rows.add(doc.gold[g].label, scored.labels[p], doc.gold[g], probs[p], predicted_actor=doc.predicted[p].actor)
    for g in doc.missed:
        rows.add(doc.gold[g].label, MISSED, doc.gold[g], None)
    for p in doc.spurious:
        rows.add(SPURIOUS, scored.labels[p], doc.predicted[p], probs[p])
    return rows


def score_systems(systems: list, examples: list[PairExample], make_rows, cfg: DictConfig, labels: list[str],
                  tag: dict, errors: list[dict]) -> dict:
    """Metrics of every system (`make_rows(scored) -> Rows`), deltas of models over baselines; the models'
    wrong rows go to `errors` with `tag` (dataset, mode)."""
    results, model_rows = {}, {}
    for system in systems:
        scored = system.predict(examples)
        rows = make_rows(scored)
        if system.kind == "model":
            model_rows[system.name] = rows.predicted
        actors = rows.actors if system.kind == "model" else None  # per-actor tables for the models only
        metrics = evaluation_metrics(rows.gold, rows.predicted, labels, rows.confidence, actors,
                                     cfg.bootstrap_resamples, cfg.seed, cfg.ece_bins)
        results[system.name] = dict(metrics, kind=system.kind, description=system.description,
                                    windowed=scored.windowed, phenomena=phenomenon_accuracy(rows))
        if system.kind == "model":
            errors.extend({**tag, "model": system.name, **detail, "gold": g, "predicted": p}
                          for g, p, detail in zip(rows.gold, rows.predicted, rows.details) if g != p)
    models = [s.name for s in systems if s.kind == "model"]
    baselines = [s.name for s in systems if s.kind == "baseline"]
    deltas = {m: {b: {k: results[m][k] - results[b][k] for k in DELTA_KEYS} for b in baselines} for m in models}
    # Side by side: each further model minus the first, on the same rows, with paired bootstrap intervals.
    model_deltas = {other: paired_bootstrap_difference(rows.gold, model_rows[models[0]], model_rows[other], labels,
                                                       cfg.bootstrap_resamples, cfg.seed) for other in models[1:]}
    return {**tag, "n": len(rows.gold), "systems": results, "deltas": deltas,
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
    results = {}
    for system in systems:
        names = getattr(system, "loaded", None) and system.loaded.sentiment_labels
        if names:
            prediction = predict_proba(system.loaded, examples, cfg.batch_size)
            gold, probs = claim_sentiment(examples, prediction.sentiment_probs)
            predicted, confidence = [names[i] for i in probs.argmax(axis=1)], list(probs.max(axis=1))
        elif system.name == "vader":
            claims = {":".join(e.pair_id.split(":")[:2]): e for e in examples if e.sentiment}
            gold = [e.sentiment for e in claims.values()]
            predicted, confidence = vader_sentiment(system, [e.text for e in claims.values()]), None
        else:
            continue
        labels = sorted(set(gold) | set(predicted), key=["negative", "neutral", "positive"].index)
        results[system.name] = evaluation_metrics(gold, predicted, labels, confidence, None,
                                                  cfg.bootstrap_resamples, cfg.seed, cfg.ece_bins)
    return {"n": len(gold), "systems": results} if results else None


def vader_sentiment(vader, texts: list[str]) -> list[str]:
    """VADER's compound score as a claim sentiment: >= 0.05 positive, <= -0.05 negative, else neutral."""
    scores = [vader.analyzer.polarity_scores(text)["compound"] for text in texts]
    return ["positive" if s >= 0.05 else "negative" if s <= -0.05 else "neutral" for s in scores]


def score_document(doc: DocumentPairs, systems: list, cfg: DictConfig, labels: list[str], errors: list[dict]) -> dict:
    """End-to-end metrics of every system on a document, with actor detection and claim-split agreement."""
    result = score_systems(systems, doc.predicted, lambda scored: end_to_end_rows(doc, scored, labels), cfg, labels,
                           {"dataset": doc.name, "mode": "end_to_end"}, errors)
    same_actor = sum(doc.gold[g].actor == doc.predicted[p].actor for g, p in doc.matched)
    result["matching"] = {"matched": len(doc.matched), "missed": len(doc.missed), "spurious": len(doc.spurious),
                          "same_actor_name": same_actor}
    result["detection"] = detection_scores(len(doc.matched), len(doc.spurious), len(doc.missed))
    result["detection_any_touch"] = doc.touch_detection
    result["claims"] = doc.claims
    return result


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
        results[set_cfg.name] = dict(source, **score_systems(
            systems, examples, lambda scored, ex=examples: given_pair_rows(ex, scored, labels), cfg, labels,
            {"dataset": set_cfg.name, "mode": "given_pairs"}, errors))
        results[set_cfg.name]["sentiment"] = sentiment_results(systems, all_examples, cfg)
        if doc is not None:
            results[f"{set_cfg.name}/end_to_end"] = dict(source, **score_document(doc, systems, cfg, labels, errors))
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

