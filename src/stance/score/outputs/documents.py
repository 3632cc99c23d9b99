"""documents.jsonl: each scored document's text, date and claims (spans, sentiment), one line per document.

pairs.jsonl holds only the claims that mention an actor; this file keeps every claim and the text between
them, so that view.html and `python -m stance.label export` work from the run directory alone, without
the input. It is written like pairs.jsonl (`stance.score.outputs.store`): a batch's lines are appended and
fsynced before the batch's done.jsonl lines, and a restart keeps only the lines of documents listed in
done.jsonl, so each finished document has exactly one line.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from stance.atomic import atomic_file

DOCUMENTS = "documents.jsonl"
CLAIM_KEYS = ("claim_id", "start", "end", "long_part", "sentiment", "sentiment_probs")


def document_record(doc_id: str, text: str, date: str | None, result: dict) -> dict:
    """The line of one scored document: its text and date, and its claims without their text (a claim's
    text is `text[start:end]`) and without their actors (those are in pairs.jsonl)."""
    claims = [{key: claim[key] for key in CLAIM_KEYS if key in claim} for claim in result["claims"]]
    return {"doc_id": doc_id, "date": date, "text": text, "claims": claims}


def read_documents(out_dir: str | Path) -> Iterator[dict]:
    """The lines of documents.jsonl one at a time (a corpus need not fit in memory), without a torn last
    line; nothing when the file is absent (a run from before this file existed)."""
    path = Path(out_dir) / DOCUMENTS
    if not path.is_file():
        return
    with path.open(encoding="utf-8", newline="") as handle:
        for line in handle:  # JSON escapes \n and \r, so a line break inside a text never splits a line
            if not line.endswith("\n"):
                return
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                return


class DocumentStore:
    """documents.jsonl of one output directory, opened for appending after the run's `ResultStore` has
    recovered: lines of documents not in `done` (an interrupted batch) are dropped first."""

    def __init__(self, out_dir: str | Path, done: dict):
        self.path = Path(out_dir) / DOCUMENTS
        kept: set[str] = set()
        # Rewritten in full, a line at a time (one pass, as pairs.jsonl is read on every start), rather than
        # trusted: a torn last line, or the lines of an unfinished batch, would otherwise stay in it.
        with atomic_file(self.path) as handle:
            for record in read_documents(out_dir):
                if record.get("doc_id") in done and record["doc_id"] not in kept:
                    kept.add(record["doc_id"])
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.missing = len(done) - len(kept)  # documents scored by a run that did not write this file
        self._handle = self.path.open("a", encoding="utf-8")

    def add(self, records: list[dict]) -> None:
        """Append the lines of a finished batch, on disk before the batch's done.jsonl lines are."""
        if not records:
            return
        self._handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()
