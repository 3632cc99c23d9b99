"""The files of a scoring run, written so that no result is lost or duplicated when a run is interrupted.

Per finished batch of documents: their rows are appended to pairs.jsonl (flushed, fsynced), *then* one
line per document to done.jsonl (flushed, fsynced). A restart keeps only the rows of documents listed in
done.jsonl (rewriting pairs.jsonl without the rest) and scores the others, so even after kill -9 the
rerun ends with every row exactly once. actors.csv and summary.json are rebuilt from pairs.jsonl, each
written to a temporary name and renamed, so an interruption leaves the previous one whole.
"""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from stance.atomic import atomic_file, write_text_atomic
from stance.score.aggregate import ACTOR_COLUMNS, aggregate_actors

PAIRS, DONE, ERRORS, RUN, ACTORS, SUMMARY = (
    "pairs.jsonl", "done.jsonl", "errors.jsonl", "run.json", "actors.csv", "summary.json")


class ResumeError(RuntimeError):
    """The output directory holds results that this run must not be mixed with."""


def read_rows(path: Path) -> list[dict]:
    """Rows of a JSONL file this run wrote, without a torn last line (one cut off by an interruption)."""
    return _complete_rows(path.read_text(encoding="utf-8")) if path.is_file() else []


def _complete_rows(text: str) -> list[dict]:
    """Split on "\n" only: U+2028, U+0085 and the like stay raw inside JSON strings, so `splitlines` would cut
    a row in two. What follows the last "\n" is empty or a torn line."""
    rows = []
    for line in text.split("\n")[:-1]:
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            break
    return rows


def _write_atomically(path: Path, rows: list[dict]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


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

    def _recover(self) -> dict[str, dict]:
        """Documents finished by an earlier run; rows of any other document are dropped."""
        done = {row["doc_id"]: row for row in read_rows(self.dir / DONE)}
        pairs_path = self.dir / PAIRS
        raw = pairs_path.read_text(encoding="utf-8") if pairs_path.is_file() else ""
        rows = _complete_rows(raw)
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["doc_id"]] = counts.get(row["doc_id"], 0) + 1
        # A document whose rows do not add up (a hand-edited file) is scored again rather than trusted.
        done = {doc_id: rec for doc_id, rec in done.items() if counts.get(doc_id, 0) == rec["pairs"]}
        kept = [row for row in rows if row["doc_id"] in done]
        if len(kept) != len(rows) or raw.count("\n") != len(rows) or (raw and not raw.endswith("\n")):
            _write_atomically(pairs_path, kept)
        _write_atomically(self.dir / DONE, list(done.values()))
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
            self.done[record["doc_id"]] = record
        self._done.flush()
        os.fsync(self._done.fileno())

    def add_error(self, error: dict) -> None:
        self._errors.write(json.dumps(error, ensure_ascii=False) + "\n")
        self._errors.flush()

    def close(self) -> None:
        for handle in (self._pairs, self._done, self._errors):
            handle.close()

    def pairs(self) -> list[dict]:
        return read_rows(self.dir / PAIRS)


def write_actors_csv(out_dir: str | Path, pairs: list[dict], fields: list[str] | tuple = ()) -> list[dict]:
    """actors.csv: one row per (document, actor), from the pair rows; `fields`: kept input columns, last."""
    rows = aggregate_actors(pairs, fields)
    with atomic_file(Path(out_dir) / ACTORS, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*ACTOR_COLUMNS, *fields])
        writer.writeheader()
        writer.writerows(rows)
    return rows


def write_summary(out_dir: str | Path, summary: dict) -> Path:
    return write_text_atomic(Path(out_dir) / SUMMARY, json.dumps(summary, indent=2, ensure_ascii=False))
