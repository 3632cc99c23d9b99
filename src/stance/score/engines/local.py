"""`engine=local`: the corpus scored batch by batch with `StancePipeline` on this machine (`score_documents`), and
what every engine shares: the input's documents not done yet, in batches, each bad record reported as it is
read (`pending_batches`), and a finished batch written (`finish_batch`: problems, documents.jsonl, then rows
and done lines); `ScoreError`, the one line the command prints when a run cannot go on.
"""
from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from omegaconf import DictConfig
from tqdm.auto import tqdm

from stance.score.fields import with_fields
from stance.score.inputs import Document, InputProblem, InputSpec, read_inputs
from stance.score.outputs.documents import DocumentStore, document_record
from stance.score.outputs.store import ResultStore
from stance.score.pipeline import ScoringError, StancePipeline, flatten_pairs


class ScoreError(RuntimeError):
    """The run cannot go on at all (the model cannot load, nothing could be scored): one line for the user."""


def check_model_dir(model_dir: str) -> None:
    if not Path(model_dir).is_dir():
        raise ScoreError(f"model_dir={model_dir}: no such model directory (looked in {Path(model_dir).resolve()})")


def batches(items: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(items, size)):
        yield batch


def report_problem(store: ResultStore, file: str, line: int, problem: str) -> None:
    print(f"{file}:{line}: {problem}", file=sys.stderr)
    store.add_error({"file": file, "line": line, "problem": problem})


def pending_batches(store: ResultStore, cfg: DictConfig, bar: tqdm, size: int | None = None) -> Iterator[list[Document]]:
    """Batches (of `size`, else doc_batch_size) of the input's documents not done yet; bad records are reported
    as they are read."""
    spec = InputSpec(cfg.input, cfg.input_format, cfg.glob, cfg.id_field, cfg.text_field, cfg.limit, cfg.date_field,
                     keep_fields=tuple(cfg.keep_fields))
    for batch in batches(read_inputs(spec), size or cfg.doc_batch_size):
        todo: list[Document] = []
        for item in batch:
            if isinstance(item, InputProblem):
                report_problem(store, item.file, item.line, item.problem)
            elif item.doc_id not in store.done:
                todo.append(item)
            elif store.done[item.doc_id] != item.digest():
                raise ScoreError(f"{item.origin}: document {item.doc_id!r} is not the one already scored in "
                                 f"{cfg.output}; use overwrite=true or another output directory")
        bar.update(len(batch) - len(todo))
        if todo:
            yield todo


def score_documents(pipe: StancePipeline, store: ResultStore, cfg: DictConfig,
                    documents: DocumentStore | None = None) -> tuple[int, int]:
    """Score every input document not done yet; returns (documents scored, pairs scored) by this run.
    Results come back batch by batch in input order and are paired with their documents by position.
    `documents` receives each finished document's text and claims (documents.jsonl) before done.jsonl does."""
    scored_docs = scored_pairs = 0
    submitted: deque[list[Document]] = deque()

    def inputs(todo: list[Document]) -> list[tuple]:
        submitted.append(todo)
        return [(d.doc_id, d.text, d.given) for d in todo]

    bar = tqdm(desc="documents", unit="doc", delay=2.0, disable=not cfg.progress)
    for results in pipe.score_batches(map(inputs, pending_batches(store, cfg, bar))):
        docs, pairs = finish_batch(store, documents, zip(submitted.popleft(), results, strict=True))
        scored_docs, scored_pairs = scored_docs + docs, scored_pairs + pairs
        bar.update(len(results))
    bar.close()
    return scored_docs, scored_pairs


def finish_batch(store: ResultStore, documents: DocumentStore | None,
                 scored: Iterable[tuple[Document, dict | ScoringError]]) -> tuple[int, int]:
    """Write a batch of scored documents (every engine's): problems reported, then documents.jsonl lines, then
    rows and done lines (`store`); returns (documents, pairs) written."""
    finished, texts = [], []
    for document, result in scored:
        if isinstance(result, ScoringError):
            file, line = document.origin.rsplit(":", 1)
            report_problem(store, file, int(line), result.problem)
            continue
        rows = with_fields(flatten_pairs(result), document.fields)
        record = {"doc_id": document.doc_id, "origin": document.origin, "digest": document.digest(),
                  "claims": len(result["claims"]), "pairs": len(rows),
                  "windowed": sum(row["windowed"] for row in rows),
                  # claims without actors longer than max_length, read on their first window for their sentiment
                  "sentiment_windowed": result.get("sentiment_windowed", 0),
                  "split_long": sum(c.get("long_part") == 1 for c in result["claims"]),
                  "split_long_claims": sum(bool(c.get("long_part")) for c in result["claims"]),
                  "date": document.date}
        finished.append((record, rows))
        texts.append(document_record(document.doc_id, document.text, document.date, result))
    if documents is not None:
        documents.add(texts)
    store.add_documents(finished)
    return len(finished), sum(len(rows) for _, rows in finished)
