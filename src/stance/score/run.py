"""`python -m stance.score input=PATH output=DIR model_dir=DIR`: score new commentary with a saved model.

A thin wrapper over `StancePipeline`: reads the input (stance.inputs), scores documents in batches and
writes pairs.jsonl / done.jsonl as each batch finishes (stance.outputs, so a rerun resumes), then
actors.csv and summary.json. Bad records are reported as "file:line: problem" and in errors.jsonl.
"""
from __future__ import annotations

import csv
import hashlib
import json
import sys
import time
import warnings
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf
from tqdm.auto import tqdm

from stance.config import CONF_DIR, save_resolved
from stance.score.inputs import Document, InputProblem, InputSpec, read_inputs, resolve_format
from stance.model.classifier import WEIGHTS_FILE
from stance.score.outputs import DONE, ERRORS, ResultStore, ResumeError, read_rows, write_actors_csv, write_summary
from stance.score.pipeline import ScoringError, StancePipeline, flatten_pairs

TABLE_ROWS = 15  # actors shown per document on the terminal (most claims first)
FINGERPRINT_KEYS = ("input", "input_format", "glob", "id_field", "text_field", "segment", "actors")


class ScoreError(RuntimeError):
    """The run cannot go on at all (the model cannot load, nothing could be scored): one line for the user."""


def fingerprint(cfg: DictConfig, precision: str) -> dict:
    """What decides the rows of pairs.jsonl; a resumed run must match it."""
    values = OmegaConf.to_container(cfg, resolve=True)
    return {"model_dir": str(Path(cfg.model_dir).resolve()), "model_weights": weights_digest(cfg.model_dir),
            "precision": precision, **{k: values[k] for k in FINGERPRINT_KEYS}}


def weights_digest(model_dir: str) -> str:
    """sha1 of the saved weights, so a model retrained in place is not mixed with its earlier results."""
    digest = hashlib.sha1()
    with (Path(model_dir) / WEIGHTS_FILE).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def load_pipeline(cfg: DictConfig) -> StancePipeline:
    try:
        return StancePipeline.load(cfg.model_dir, cfg.actors, cfg.segment, quantize=cfg.quantize,
                                   batch_size=cfg.batch_size, neutral_band=cfg.neutral_band, bf16=cfg.bf16,
                                   threads=cfg.threads)
    except Exception as error:  # any failure here is reported as one line
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ScoreError(f"{cfg.model_dir}: cannot load the model: {message}") from error


def model_info(model_dir: str) -> dict:
    """The model's config, labels, card title and test metrics, as saved next to it."""
    path = Path(model_dir)
    meta = json.loads((path / "stance_model.json").read_text(encoding="utf-8"))
    info = {"path": str(path.resolve()), "labels": meta["labels"],
            **{k: meta["model_cfg"].get(k) for k in ("backbone", "adapter", "encoding", "max_length", "pooling")}}
    if (path / "README.md").is_file():
        info["card"] = (path / "README.md").read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
    if (path / "metrics.json").is_file():
        metrics = json.loads((path / "metrics.json").read_text(encoding="utf-8"))
        info["test_f1_macro"] = {name: m.get("f1_macro") for name, m in metrics.get("test", {}).items()}
    return info


def batches(items: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(items, size)):
        yield batch


def report_problem(store: ResultStore, file: str, line: int, problem: str) -> None:
    print(f"{file}:{line}: {problem}", file=sys.stderr)
    store.add_error({"file": file, "line": line, "problem": problem})


def pending_batches(store: ResultStore, cfg: DictConfig, bar: tqdm) -> Iterator[list[Document]]:
    """Batches of the input's documents not done yet; bad records are reported as they are read."""
    spec = InputSpec(cfg.input, cfg.input_format, cfg.glob, cfg.id_field, cfg.text_field)
    for batch in batches(read_inputs(spec), cfg.doc_batch_size):
        todo: list[Document] = []
        for item in batch:
            if isinstance(item, InputProblem):
                report_problem(store, item.file, item.line, item.problem)
            elif item.doc_id not in store.done:
                todo.append(item)
            elif store.done[item.doc_id].get("digest") != item.digest():
                raise ScoreError(f"{item.origin}: document {item.doc_id!r} is not the one already scored in "
                                 f"{cfg.output}; use overwrite=true or another output directory")
        bar.update(len(batch) - len(todo))
        if todo:
            yield todo


def score_documents(pipe: StancePipeline, store: ResultStore, cfg: DictConfig) -> tuple[int, int]:
    """Score every input document not done yet; returns (documents scored, pairs scored) by this run."""
    scored_docs = scored_pairs = 0
    documents: dict[str, Document] = {}

    def inputs(todo: list[Document]) -> list[tuple]:
        documents.update((d.doc_id, d) for d in todo)
        return [(d.doc_id, d.text, d.given) for d in todo]

    bar = tqdm(desc="documents", unit="doc", delay=2.0, disable=not cfg.progress)
    for results in pipe.score_batches(map(inputs, pending_batches(store, cfg, bar))):
        finished = []
        for result in results:
            document = documents.pop(result.doc_id if isinstance(result, ScoringError) else result["doc_id"])
            if isinstance(result, ScoringError):
                file, line = document.origin.rsplit(":", 1)
                report_problem(store, file, int(line), result.problem)
                continue
            rows = flatten_pairs(result)
            record = {"doc_id": document.doc_id, "origin": document.origin, "digest": document.digest(),
                      "claims": len(result["claims"]), "pairs": len(rows),
                      "windowed": sum(row["windowed"] for row in rows)}
            finished.append((record, rows))
            scored_pairs += len(rows)
        store.add_documents(finished)
        scored_docs += len(finished)
        bar.update(len(results))
    bar.close()
    return scored_docs, scored_pairs


def run_score(cfg: DictConfig) -> dict:
    """Score the input into cfg.output; returns the summary (also written to summary.json)."""
    started = time.perf_counter()
    try:
        resolve_format(cfg.input, cfg.input_format)
    except ValueError as error:
        raise ScoreError(str(error)) from error
    if cfg.quantize and cfg.bf16:
        raise ScoreError("quantize=true and bf16=true exclude each other: choose one")
    pipe = load_pipeline(cfg)
    load_seconds = time.perf_counter() - started
    try:
        store = ResultStore(cfg.output, fingerprint(cfg, pipe.precision), cfg.overwrite)
    except ResumeError as error:
        raise ScoreError(str(error)) from error
    save_resolved(cfg, cfg.output)
    scoring_started = time.perf_counter()
    analysis_before, model_before = pipe.seconds["analysis"], pipe.seconds["model"]
    try:
        scored_docs, scored_pairs = score_documents(pipe, store, cfg)
    finally:
        store.close()
    scoring_seconds = time.perf_counter() - scoring_started
    pairs = store.pairs()
    actors = write_actors_csv(cfg.output, pairs, cfg.neutral_band)
    errors = read_rows(Path(cfg.output) / ERRORS)
    summary = {
        "model": {**model_info(cfg.model_dir), "precision": pipe.precision},
        "config": OmegaConf.to_container(cfg, resolve=True),
        "counts": {"documents": len(store.done), "claims": sum(r["claims"] for r in store.done.values()),
                   "pairs": len(pairs), "actors": len(actors), "errors": len(errors),
                   "windowed_pairs": sum(bool(p["windowed"]) for p in pairs),
                   "windowed_claims": len({(p["doc_id"], p["claim_id"]) for p in pairs if p["windowed"]})},
        "actor_label_rule": f"mean pair score (P(favor) - P(against)) >= {cfg.neutral_band}: favor, "
                            f"<= -{cfg.neutral_band}: against, otherwise neutral",
        "this_run": {"resumed_documents": store.resumed, "documents_scored": scored_docs,
                     "pairs_scored": scored_pairs, "load_seconds": round(load_seconds, 2),
                     "scoring_seconds": round(scoring_seconds, 2),
                     "analysis_seconds": round(pipe.seconds["analysis"] - analysis_before, 2),
                     "model_seconds": round(pipe.seconds["model"] - model_before, 2),
                     "wall_seconds": round(time.perf_counter() - started, 2),
                     "pairs_per_second": round(scored_pairs / scoring_seconds, 1) if scored_pairs else None,
                     "torch_threads": pipe.threads},
        "errors": errors,
    }
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
    if counts["windowed_pairs"]:
        print(f"note: {counts['windowed_claims']} claims ({counts['windowed_pairs']} pairs) were longer than the "
              "model's max_length and were scored on a window around the mention (windowed=true in pairs.jsonl)",
              file=sys.stderr)
    speed = f"{run['pairs_per_second']} pairs/s" if run["pairs_per_second"] else "nothing new to score"
    print(f"\n{counts['documents']} documents ({run['resumed_documents']} done before), {counts['claims']} claims, "
          f"{counts['pairs']} pairs, {counts['errors']} problems; {speed} -> {cfg.output}")


def quiet_library_notices() -> None:
    """Hide torch/transformers deprecation notices and load bars: they say nothing about the user's data."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
    warnings.filterwarnings("ignore", module=r"torch\.ao\.")


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="score")
def main(cfg: DictConfig) -> None:
    quiet_library_notices()
    try:
        summary = run_score(cfg)
        if summary["counts"]["documents"] == 0:
            raise ScoreError(f"{cfg.input}: nothing could be scored ({summary['counts']['errors']} problems, "
                             f"see {Path(cfg.output) / 'errors.jsonl'})")
    except ScoreError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    print_report(cfg, summary)

