"""The score command as a function (tests call it): `run_score(cfg)` checks the options, holds the output
directory's lock (stance.score.outputs.lock: a second run is refused while the first lives), loads the engine
(`engine=local`: `StancePipeline`; `engine=ray`: `RayEngine`), scores the input's documents in batches,
writing pairs.jsonl / done.jsonl as each batch finishes (stance.score.outputs, so a rerun resumes), then
actors.csv, the analyst's files and summary.json; `score_and_report(cfg)` adds the terminal report. Bad records
are reported as "file:line: problem" and in errors.jsonl.
"""
from __future__ import annotations

import csv
import hashlib
import json
import sys
import time
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from stance.analyse.actor_files import apply_actor_files, registry_summary
from stance.analyse.registry import RegistryError
from stance.config import save_resolved
from stance.model.classifier import REMOVED_OPTIONS, WEIGHTS_FILE
from stance.score.aggregate import RULE as ACTOR_RULE
from stance.score.aggregate import document_groups
from stance.score.analyst import check_options, write_analyst_files
from stance.score.engines.local import ScoreError, check_model_dir, score_documents
from stance.score.fields import check_field_options
from stance.score.inputs import resolve_format
from stance.score.outputs.documents import DocumentStore
from stance.score.outputs.lock import LockedError, OutputLock, describe_takeover
from stance.score.outputs.shards import open_store, output_format
from stance.score.outputs.store import (
    DONE,
    ERRORS,
    ResultStore,
    ResumeError,
    read_rows,
    write_actors_csv,
    write_summary,
)
from stance.score.outputs.tables import write_pairs_csv
from stance.score.pipeline import StancePipeline

ENGINES = ("local", "ray")
TABLE_ROWS = 15  # actors shown per document on the terminal (most claims first)
FINGERPRINT_KEYS = ("input", "input_format", "glob", "id_field", "text_field", "date_field", "segment", "actors")


def fingerprint(cfg: DictConfig, precision: str) -> dict:
    """What decides the rows of pairs.jsonl; a resumed run must match it."""
    values = OmegaConf.to_container(cfg, resolve=True)
    values["id_field"] = values["id_field"] or "id"  # null reads `id` too: runs begun before null was the default resume
    return {"model_dir": str(Path(cfg.model_dir).resolve()), "model_weights": weights_digest(cfg.model_dir),
            "precision": precision, **{k: values[k] for k in FINGERPRINT_KEYS},
            **({"keep_fields": values["keep_fields"]} if values.get("keep_fields") else {})}


def weights_digest(model_dir: str) -> str:
    """sha1 of the saved weights, so a model retrained in place is not mixed with its earlier results."""
    digest = hashlib.sha1()
    with (Path(model_dir) / WEIGHTS_FILE).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def load_pipeline(cfg: DictConfig) -> StancePipeline:
    check_model_dir(cfg.model_dir)
    try:
        return StancePipeline.load(cfg.model_dir, cfg.actors, cfg.segment, batch_size=cfg.batch_size,
                                   bf16=cfg.bf16, threads=cfg.threads)
    except Exception as error:  # any failure here is reported as one line
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ScoreError(f"{cfg.model_dir}: cannot load the model: {message}") from error


def model_info(model_dir: str) -> dict:
    """The model's config, labels, card title and the dev figure that chose it (and test metrics, for a model
    trained with trainer.eval_test=true), as saved next to it."""
    path = Path(model_dir)
    meta = json.loads((path / "stance_model.json").read_text(encoding="utf-8"))
    # encoding and pooling: the one of each that is left (REMOVED_OPTIONS), where the model does not record it
    info = {"path": str(path.resolve()), "labels": meta["labels"],
            **{k: meta["model_cfg"].get(k, REMOVED_OPTIONS.get(k))
               for k in ("backbone", "adapter", "encoding", "max_length", "pooling")}}
    if (path / "README.md").is_file():
        info["card"] = (path / "README.md").read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
    if (path / "metrics.json").is_file():
        metrics = json.loads((path / "metrics.json").read_text(encoding="utf-8"))
        info["dev_f1_macro"] = metrics.get("dev", {}).get("f1_macro")  # the dev rule, for models trained since it
        if metrics.get("test"):
            info["test_f1_macro"] = {name: m.get("f1_macro") for name, m in metrics["test"].items()}
    return info


def load_engine(cfg: DictConfig):
    """The engine switch: the local `StancePipeline`, or `RayEngine` (which imports Ray) for engine=ray."""
    if cfg.engine == "local":
        return load_pipeline(cfg)
    from stance.score.engines.ray_cluster import RayUnavailable
    from stance.score.engines.ray_engine import RayEngine

    check_model_dir(cfg.model_dir)
    try:
        return RayEngine(cfg)
    except (RayUnavailable, ValueError) as error:
        raise ScoreError(str(error)) from error


def score_with(pipe, store: ResultStore, cfg: DictConfig, documents: DocumentStore) -> tuple[int, int]:
    """`score_documents` with the engine `load_engine` gave."""
    if cfg.engine == "local":
        return score_documents(pipe, store, cfg, documents)
    from stance.score.engines.ray_cluster import RayUnavailable

    try:
        return pipe.score_documents(store, cfg, documents)
    except RayUnavailable as error:
        raise ScoreError(str(error)) from error


COUNT_KEYS = ("documents", "claims", "pairs", "actors", "errors", "windowed_pairs", "windowed_claims",
              "windowed_sentiment_claims", "split_long", "split_long_claims")


def run_counts(store: ResultStore) -> dict:
    """The counts of summary.json over the run's files, streamed: done.jsonl for documents and claims, the pair
    rows (a document at a time) for pairs and windows."""
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for record in store.iter_done():
        counts["documents"] += 1
        counts["claims"] += record["claims"]
        counts["windowed_sentiment_claims"] += record.get("sentiment_windowed", 0)
        # sentences over segment.max_claim_chars, and the claims they were cut into
        counts["split_long"] += record.get("split_long", 0)
        counts["split_long_claims"] += record.get("split_long_claims", 0)
    for _, rows in document_groups(store.iter_pairs()):
        counts["pairs"] += len(rows)
        counts["windowed_pairs"] += sum(bool(p["windowed"]) for p in rows)
        counts["windowed_claims"] += len({p["claim_id"] for p in rows if p["windowed"]})
    return counts


def run_score(cfg: DictConfig, merge_actor_files: bool = True) -> dict:
    """Score the input into cfg.output, holding its lock (`OutputLock`) throughout; returns the summary
    (also written to summary.json). `merge_actor_files=False`: cfg.actors already holds `actors_file`."""
    try:
        check_options(cfg, resolve_format(cfg.input, cfg.input_format))
        check_field_options(cfg.keep_fields, resolve_format(cfg.input, cfg.input_format))
        if cfg.engine not in ENGINES:
            raise ValueError(f"engine={cfg.engine!r}: expected one of {', '.join(ENGINES)}")
        output_format(cfg)  # ValueError for an unknown one
        if merge_actor_files:
            apply_actor_files(cfg)  # actors_file=... merged into cfg.actors: one registry from here on
        if cfg.limit is not None and cfg.limit < 1:
            raise ValueError(f"limit={cfg.limit}: expected a positive number of records (or null: all)")
        lock = OutputLock(cfg.output).acquire()
    except (ValueError, LockedError, RegistryError) as error:
        raise ScoreError(str(error)) from error
    try:
        if lock.took_over:
            print(f"note: {cfg.output}: {describe_takeover(lock.took_over)}", file=sys.stderr)
        return _run_score(cfg)
    finally:
        lock.release()


def _run_score(cfg: DictConfig) -> dict:
    started = time.perf_counter()
    pipe = load_engine(cfg)
    load_seconds = time.perf_counter() - started
    try:
        store = open_store(cfg, fingerprint(cfg, pipe.precision))
    except ResumeError as error:
        raise ScoreError(str(error)) from error
    documents = DocumentStore(cfg.output, store.done)
    save_resolved(cfg, cfg.output)
    scoring_started = time.perf_counter()
    analysis_before, model_before = pipe.seconds["analysis"], pipe.seconds["model"]
    try:
        scored_docs, scored_pairs = score_with(pipe, store, cfg, documents)
    finally:
        store.close()
        documents.close()
    scoring_seconds = time.perf_counter() - scoring_started
    tables_started = time.perf_counter()
    counts = run_counts(store)
    counts["actors"] = write_actors_csv(cfg.output, store.iter_pairs(), cfg.keep_fields)
    if cfg.pairs_csv:
        write_pairs_csv(cfg.output, store.iter_pairs(), cfg.keep_fields)
    errors = read_rows(Path(cfg.output) / ERRORS)
    counts["errors"] = len(errors)
    summary = {
        "model": {**model_info(cfg.model_dir), "precision": pipe.precision},
        # The registry by name and hash, not its contents (config.yaml beside it has them in full).
        "config": {**OmegaConf.to_container(cfg, resolve=True), "actors": registry_summary(cfg.actors, cfg.actors_file)},
        "counts": {key: counts[key] for key in COUNT_KEYS},
        "actor_label_rule": ACTOR_RULE,
        "this_run": {"resumed_documents": store.resumed, "documents_scored": scored_docs,
                     "pairs_scored": scored_pairs, "load_seconds": round(load_seconds, 2),
                     "scoring_seconds": round(scoring_seconds, 2),
                     "analysis_seconds": round(pipe.seconds["analysis"] - analysis_before, 2),
                     "model_seconds": round(pipe.seconds["model"] - model_before, 2),
                     "wall_seconds": round(time.perf_counter() - started, 2),
                     "pairs_per_second": round(scored_pairs / scoring_seconds, 1) if scored_pairs else None,
                     "torch_threads": pipe.threads, "engine": cfg.engine,
                     **({"ray": pipe.info} if cfg.engine == "ray" else {})},
        "errors": errors,
    }
    summary["analyst_files"] = write_analyst_files(cfg, store.iter_pairs, store.iter_done, summary)
    # actors.csv, pairs.csv, the counts and the analyst's files, each streamed over the run's files
    summary["this_run"]["end_of_run_seconds"] = round(time.perf_counter() - tables_started, 2)
    write_summary(cfg.output, summary)
    return summary


def print_report(cfg: DictConfig, summary: dict) -> None:
    counts, run = summary["counts"], summary["this_run"]
    if counts["documents"] <= cfg.show_documents:
        with (Path(cfg.output) / "actors.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for record in read_rows(Path(cfg.output) / DONE):
            doc_id = record["doc_id"]
            print(f"\n{doc_id}: {record['claims']} claims, {record['pairs']} (claim, actor) pairs")
            print(f"  {'actor':<28} {'label':<8} {'score':>6} {'claims':>6}")
            mine = sorted((r for r in rows if r["doc_id"] == doc_id), key=lambda r: -int(r["claims"]))
            for row in mine[:TABLE_ROWS]:
                print(f"  {row['actor'][:28]:<28} {row['label']:<8} {float(row['mean_score']):>6.2f} {row['claims']:>6}")
            if len(mine) > TABLE_ROWS:
                print(f"  ... and {len(mine) - TABLE_ROWS} more actors in actors.csv")
    if counts["split_long"]:
        print(f"note: {counts['split_long']} sentences were longer than segment.max_claim_chars="
              f"{cfg.segment.max_claim_chars} characters (punctuation missing?) and were cut at clause boundaries "
              f"into {counts['split_long_claims']} claims of at most {cfg.segment.split_piece_chars} characters "
              "(split_long in summary.json)", file=sys.stderr)
    if counts["windowed_pairs"]:
        print(f"note: {counts['windowed_claims']} claims ({counts['windowed_pairs']} pairs) were longer than the "
              "model's max_length and were scored on a window around the mention (windowed=true in pairs.jsonl)",
              file=sys.stderr)
    if counts["windowed_sentiment_claims"]:
        print(f"note: {counts['windowed_sentiment_claims']} claims without an actor were longer than the model's "
              "max_length; their sentiment was read on their first window (windowed_sentiment_claims in summary.json)",
              file=sys.stderr)
    speed = f"{run['pairs_per_second']} pairs/s" if run["pairs_per_second"] else "nothing new to score"
    print(f"\n{counts['documents']} documents ({run['resumed_documents']} done before), {counts['claims']} claims, "
          f"{counts['pairs']} pairs, {counts['errors']} problems; {speed} -> {cfg.output}")
    for name, info in summary.get("analyst_files", {}).items():
        detail = (f"{info['documents_in_full']} documents in full, {info['documents_in_index']} in the index"
                  if name == "view" else f"{info['rows']} (actor, {info['period']}) rows")
        print(f"  {Path(cfg.output) / info['file']}: {detail}")


def score_and_report(cfg: DictConfig, merge_actor_files: bool = True) -> int:
    """The command: score, print the report (or the one-line error); returns the exit code."""
    try:
        summary = run_score(cfg, merge_actor_files)
        if summary["counts"]["documents"] == 0:
            raise ScoreError(f"{cfg.input}: nothing could be scored ({summary['counts']['errors']} problems, "
                             f"see {Path(cfg.output) / 'errors.jsonl'})")
    except ScoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print_report(cfg, summary)
    return 0
