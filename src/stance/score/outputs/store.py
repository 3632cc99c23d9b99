"""The files of a scoring run, written so that no result is lost or duplicated when a run is interrupted.

Per finished batch of documents: their rows are appended to pairs.jsonl (flushed, fsynced), *then* one
line per document to done.jsonl (flushed, fsynced). A restart keeps only the rows of documents listed in
done.jsonl (rewriting pairs.jsonl without the rest) and scores the others, so even after kill -9 the
rerun ends with every row exactly once. actors.csv and summary.json are rebuilt from pairs.jsonl, each
written to a temporary name and renamed, so an interruption leaves the previous one whole.

Nothing here holds a run's rows: files are read a line at a time, and what a resumed run keeps of the
documents already done is their ids and digests (`ResultStore.done`).
"""
from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from stance.atomic import atomic_file, write_text_atomic
from stance.score.aggregate import ACTOR_COLUMNS, aggregate_actors, document_groups

PAIRS, DONE, ERRORS, RUN, ACTORS, SUMMARY = (
    "pairs.jsonl", "done.jsonl", "errors.jsonl", "run.json", "actors.csv", "summary.json")


class ResumeError(RuntimeError):
    """The output directory holds results that this run must not be mixed with."""


def read_rows(path: Path) -> list[dict]:
    """Rows of a small JSONL file this run wrote (done.jsonl's first lines, errors.jsonl), whole."""
    return list(iter_rows(path))


def iter_rows(path: Path) -> Iterator[dict]:
    """Rows of a JSONL file this run wrote, one at a time, without a torn last line (one cut off by an
    interruption). Split on "\n" only (binary lines): U+2028, U+0085 and the like stay raw inside JSON strings."""
    if not path.is_file():
        return
    with path.open("rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                return
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                return


def _write_atomically(path: Path, rows: Iterable[dict]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def finished_documents(path: Path) -> dict[str, tuple[int, str | None]]:
    """doc_id -> (pairs, digest) of the documents done.jsonl lists (the last line of a repeated id)."""
    return {row["doc_id"]: (row["pairs"], row.get("digest")) for row in iter_rows(path)}


def rewrite_done(path: Path, kept: dict) -> None:
    """done.jsonl with only the lines of `kept` documents, streamed through a temporary file."""
    _write_atomically(path, (row for row in iter_rows(path) if row["doc_id"] in kept))


class ResultStore:
    """pairs.jsonl, done.jsonl and errors.jsonl of one output directory, opened for appending."""

    def __init__(self, out_dir: str | Path, fingerprint: dict, overwrite: bool = False):
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        if overwrite:
            for name in (PAIRS, DONE, ERRORS, RUN, ACTORS, SUMMARY):
                (self.dir / name).unlink(missing_ok=True)
        self._check_same_run(fingerprint)
        self.done = self._recover()
        self.resumed = len(self.done)
        self._pairs = (self.dir / PAIRS).open("a", encoding="utf-8")
        self._done = (self.dir / DONE).open("a", encoding="utf-8")
        self._errors = (self.dir / ERRORS).open("w", encoding="utf-8")  # the input is read again in full

    def _check_same_run(self, fingerprint: dict) -> None:
        run_file = self.dir / RUN
        if run_file.is_file():
            before = json.loads(run_file.read_text(encoding="utf-8"))
            changed = sorted(k for k in set(before) | set(fingerprint) if before.get(k) != fingerprint.get(k))
            if changed and read_rows(self.dir / DONE):  # nothing scored yet: a corrected command may start
                raise ResumeError(
                    f"{self.dir}: holds results of a run with different {', '.join(changed)}; "
                    "use overwrite=true or another output directory")
        write_text_atomic(run_file, json.dumps(fingerprint, indent=2))

    def _recover(self) -> dict[str, str | None]:
        """Documents finished by an earlier run (doc_id -> digest); rows of any other document are dropped."""
        finished = finished_documents(self.dir / DONE)
        pairs_path = self.dir / PAIRS
        counts: dict[str, int] = {}
        for row in iter_rows(pairs_path):
            counts[row["doc_id"]] = counts.get(row["doc_id"], 0) + 1
        # A document whose rows do not add up (a hand-edited file) is scored again rather than trusted.
        done = {doc_id: digest for doc_id, (pairs, digest) in finished.items() if counts.get(doc_id, 0) == pairs}
        complete_lines = sum(counts.values())
        if any(doc_id not in done for doc_id in counts) or _line_count(pairs_path) != complete_lines:
            _write_atomically(pairs_path, (row for row in iter_rows(pairs_path) if row["doc_id"] in done))
        rewrite_done(self.dir / DONE, done)
        return done

    def add_documents(self, finished: list[tuple[dict, list[dict]]]) -> None:
        """Append (done record, pair rows) of finished documents: all rows first, then the done lines."""
        if not finished:
            return
        for _, rows in finished:
            self._pairs.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        self._pairs.flush()
        os.fsync(self._pairs.fileno())
        for record, _ in finished:
            self._done.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.done[record["doc_id"]] = record.get("digest")
        self._done.flush()
        os.fsync(self._done.fileno())

    def add_error(self, error: dict) -> None:
        self._errors.write(json.dumps(error, ensure_ascii=False) + "\n")
        self._errors.flush()

    def close(self) -> None:
        for handle in (self._pairs, self._done, self._errors):
            handle.close()

    def iter_pairs(self) -> Iterator[dict]:
        return iter_rows(self.dir / PAIRS)

    def iter_done(self) -> Iterator[dict]:
        return iter_rows(self.dir / DONE)


def _line_count(path: Path) -> int:
    """Lines of a file, a torn or unreadable one included (bytes after the last "\n" count as one)."""
    if not path.is_file():
        return 0
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def write_actors_csv(out_dir: str | Path, pairs: Iterable[dict], fields: list[str] | tuple = ()) -> int:
    """actors.csv: one row per (document, actor), from the pair rows, a document at a time (a document's rows
    are contiguous in the files a run writes); `fields`: kept input columns, last. Returns the rows written."""
    written = 0
    with atomic_file(Path(out_dir) / ACTORS, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*ACTOR_COLUMNS, *fields])
        writer.writeheader()
        for _, rows in document_groups(pairs):
            actors = aggregate_actors(rows, fields)
            writer.writerows(actors)
            written += len(actors)
    return written


def write_summary(out_dir: str | Path, summary: dict) -> Path:
    return write_text_atomic(Path(out_dir) / SUMMARY, json.dumps(summary, indent=2, ensure_ascii=False))
