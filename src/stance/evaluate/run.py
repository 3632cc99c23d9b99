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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import hydra
import numpy as np
from omegaconf import DictConfig, OmegaConf

from stance.evaluate.baselines import Scored, build_baselines
from stance.config import CONF_DIR, save_resolved
from stance.data.sources import DEFAULT_LABELS, DataError, load_source
from stance.data.validate import check_gold
from stance.evaluate.matching import detect_pairs, gold_pair_spans, match_pairs, predicted_pair_spans
from stance.evaluate.metrics import claim_split_agreement, detection_scores, evaluation_metrics, label_agreement
from stance.model.classifier import LoadedModel, load_classifier
from stance.score.pipeline import pair_examples
from stance.model.predict import predict_proba
from stance.evaluate.report import agreement_blocks, agreement_text, report_blocks, summary_text, write_report
from stance.textfile import jsonl_rows
from stance.types import ClaimActors, PairExample

log = logging.getLogger("stance.evaluate")
MISSED, SPURIOUS = "missed", "spurious"
DELTA_KEYS = ("accuracy", "f1_macro", "f1_macro_present", "f1_polar")


class ModelSystem:
    """A saved stance model behind the same `predict` interface as the baselines."""

    kind = "model"

    def __init__(self, name: str, model_dir: str, loaded: LoadedModel, batch_size: int):
        self.name, self.model_dir, self.loaded, self.batch_size = name, model_dir, loaded, batch_size
        cfg = loaded.model_cfg
        self.description = f"{model_dir} (backbone {cfg['backbone']}, adapter {cfg['adapter']}, {cfg['encoding']})"

    def predict(self, examples: list[PairExample]) -> Scored:
        prediction = predict_proba(self.loaded, examples, self.batch_size)
        labels = [self.loaded.labels[i] for i in prediction.probs.argmax(axis=1)]
        return Scored(labels, prediction.probs, windowed=sum(prediction.windowed))


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
        raise DataError([f"{d}: not a stance model directory (no stance_model.json)" for d in missing])
    names = [Path(d).name for d in dirs]
    names = names if len(set(names)) == len(names) else dirs  # two dirs with one name: show the paths
    systems = [ModelSystem(n, d, load_classifier(d), cfg.batch_size) for n, d in zip(names, dirs)]
    if len({tuple(sorted(s.loaded.labels)) for s in systems}) > 1:
        raise DataError([f"models disagree on their labels: {[s.loaded.labels for s in systems]}"])
    return systems


def pipeline_analyser(cfg: DictConfig) -> Callable[[str], list[ClaimActors]]:
    """Claim splitting and actor detection as configured, exactly as scoring runs them."""
    from stance.analyse import DocumentAnalyser

    analyser = DocumentAnalyser.from_config(cfg.segment, cfg.actors)
    return lambda text: analyser([text])[0]


def gold_rows(path: str) -> list[tuple[int, dict]]:
    """(line number, row) of a gold-format file that `load_source` has already checked (so no problems)."""
    return list(jsonl_rows(Path(path), []))


def read_document(set_cfg: DictConfig, rows: list[tuple[int, dict]]) -> str:
    """The set's document, after the gold validator (`stance.data.validate`) has checked every gold row
    against it: each claim and mention is the document's text at its offsets."""
    path, document = set_cfg.source.path, Path(set_cfg.document)
    if not document.is_file():
        raise DataError([f"{document}: document of set {set_cfg.name} not found"])
    checked = check_gold(path, document)
    problems = checked.problems
    doc_ids = sorted({str(row.get("doc_id")) for _, row in rows})
    if len(doc_ids) > 1:
        problems.append(f"{path}: end to end needs one document per gold file, found doc_ids {doc_ids}")
    if problems:
        raise DataError(problems)
    return checked.document


def document_pairs(set_cfg: DictConfig, labels: list[str], analyse: Callable[[str], list[ClaimActors]]) -> DocumentPairs:
    """Analyse the set's document and match the pipeline's (claim, actor) pairs to the gold pairs."""
    gold = load_source(set_cfg.source, labels)  # checked; its pairs are the raw rows that have an actor
    rows = gold_rows(set_cfg.source.path)
    text = read_document(set_cfg, rows)
    claim_actors = analyse(text)
    predicted = pair_examples(Path(set_cfg.document).stem, claim_actors)  # the pairs scoring builds
    gold_spans = gold_pair_spans(row for _, row in rows)  # aligned with `gold`: both skip actor-less rows
    predicted_spans = predicted_pair_spans(claim_actors)  # aligned with `predicted`
    matching = match_pairs(gold_spans, predicted_spans)
    claims = claim_split_agreement({(int(r["start"]), int(r["end"])) for _, r in rows},
                                   {(item.claim.start, item.claim.end) for item in claim_actors})
    return DocumentPairs(set_cfg.name, gold, predicted, matching.matched, matching.missed, matching.spurious, claims,
                         detect_pairs(gold_spans, predicted_spans).counts())


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
    results = {}
    for system in systems:
        scored = system.predict(examples)
        rows = make_rows(scored)
        actors = rows.actors if system.kind == "model" else None  # per-actor tables for the models only
        metrics = evaluation_metrics(rows.gold, rows.predicted, labels, rows.confidence, actors,
                                     cfg.bootstrap_resamples, cfg.seed, cfg.ece_bins)
        results[system.name] = dict(metrics, kind=system.kind, description=system.description,
                                    windowed=scored.windowed)
        if system.kind == "model":
            errors.extend({**tag, "model": system.name, **detail, "gold": g, "predicted": p}
                          for g, p, detail in zip(rows.gold, rows.predicted, rows.details) if g != p)
    models = [s.name for s in systems if s.kind == "model"]
    baselines = [s.name for s in systems if s.kind == "baseline"]
    deltas = {m: {b: {k: results[m][k] - results[b][k] for k in DELTA_KEYS} for b in baselines} for m in models}
    return {**tag, "n": len(rows.gold), "systems": results, "deltas": deltas}


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
                loaded.append((set_cfg, examples, document_pairs(set_cfg, labels, analyse)))
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
    models = load_models(cfg)
    labels = list(models[0].loaded.labels)
    sets = load_sets(cfg, labels, analyse)
    first = models[0]
    baselines, baseline_info = build_baselines(cfg.baselines, first.loaded.model_cfg, first.loaded.tokenizer, labels,
                                               first.model_dir)
    baseline_info["seconds"] = round(time.perf_counter() - started, 1)
    systems = models + baselines
    errors: list[dict] = []
    results = {}
    for set_cfg, examples, doc in sets:
        log.info("%s: %d gold pairs", set_cfg.name, len(examples))
        source = {"source": str(set_cfg.source.path), "document": set_cfg.document}
        results[set_cfg.name] = dict(source, **score_systems(
            systems, examples, lambda scored, ex=examples: given_pair_rows(ex, scored, labels), cfg, labels,
            {"dataset": set_cfg.name, "mode": "given_pairs"}, errors))
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


def read_label_file(path: str, labels: tuple | list) -> list[dict]:
    """The rows of a gold-format file, after `load_source` has checked every row."""
    load_source({"format": "gold", "path": path}, labels)
    return [row for _, row in gold_rows(path)]


def run_agreement(cfg: DictConfig) -> dict:
    """Inter-annotator agreement of label files `cfg.a` and `cfg.b`; writes metrics.json and report.md/html."""
    if not cfg.a or not cfg.b:
        raise DataError(["mode=agreement needs a=FILE and b=FILE (two gold-format label files)"])
    rows_a, rows_b = read_label_file(cfg.a, DEFAULT_LABELS), read_label_file(cfg.b, DEFAULT_LABELS)
    result = dict(label_agreement(rows_a, rows_b, list(DEFAULT_LABELS)), a=cfg.a, b=cfg.b)
    out = Path(cfg.output)
    save_resolved(cfg, out)
    (out / "metrics.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    write_report(out, agreement_blocks(result))
    return result


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="evaluate")
def main(cfg: DictConfig) -> None:
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

