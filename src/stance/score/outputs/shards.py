"""`output_format=parquet`: the pair rows as Parquet shards (pairs/part-000001.parquet, ...), kept as safe
from interruption as pairs.jsonl is (`stance.score.outputs.store`).

Finished documents are buffered until they hold `shard_pairs` rows; then the shard is written under a
temporary name, fsynced and renamed into pairs/, and only *then* are the documents' lines appended to
done.jsonl. A restart keeps the shards' rows of documents listed in done.jsonl (a shard holding others is
rewritten without them, or removed) and scores the rest, so an interruption costs at most the buffered
shard's work and never leaves a row twice. Kept input fields (`keep_fields`) are string columns, so every
shard has the same schema (a number or other JSON value is written as its JSON text).
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from omegaconf import DictConfig

from stance.score.outputs.store import (
    ACTORS,
    DONE,
    ERRORS,
    PAIRS,
    RUN,
    SUMMARY,
    ResultStore,
    finished_documents,
    iter_rows,
    rewrite_done,
)

PAIRS_DIR = "pairs"
OUTPUT_FORMATS = ("jsonl", "parquet")


def output_format(cfg: DictConfig) -> str:
    """jsonl | parquet; `auto` is jsonl with the local engine and parquet with Ray."""
    fmt = cfg.output_format
    if fmt == "auto":
        return "parquet" if cfg.engine == "ray" else "jsonl"
    if fmt not in OUTPUT_FORMATS:
        raise ValueError(f"output_format={fmt!r}: expected auto, jsonl or parquet")
    return fmt


def open_store(cfg: DictConfig, fingerprint: dict) -> ResultStore:
    """The run's result store: pairs.jsonl (`ResultStore`) or Parquet shards (`ShardStore`). The format is part
    of the fingerprint, so a resumed run cannot append to the other kind; overwrite removes both kinds."""
    fmt, out = output_format(cfg), Path(cfg.output)
    if cfg.overwrite:
        shutil.rmtree(out / PAIRS_DIR, ignore_errors=True)
        (out / PAIRS).unlink(missing_ok=True)
    if fmt == "jsonl":  # the fingerprint of every run before Parquet output existed: they still resume
        return ResultStore(out, fingerprint, cfg.overwrite)
    return ShardStore(out, {**fingerprint, "output_format": fmt}, cfg.overwrite, cfg.shard_pairs,
                      tuple(cfg.keep_fields))


def read_pairs(out_dir: str | Path) -> list[dict]:
    """The pair rows of a scoring run's directory, whole (for a small run; `iter_pairs` streams them)."""
    return list(iter_pairs(out_dir))


def iter_pairs(out_dir: str | Path) -> Iterator[dict]:
    """The pair rows of a scoring run's directory, one at a time, from its Parquet shards (a record batch held
    at a time) or its pairs.jsonl."""
    shards = Path(out_dir) / PAIRS_DIR
    if shards.is_dir():
        import pyarrow.parquet as pq

        for path in shard_files(shards):
            for batch in pq.ParquetFile(path).iter_batches():
                yield from batch.to_pylist()
        return
    yield from iter_rows(Path(out_dir) / PAIRS)


def shard_files(shards: Path) -> list[Path]:
    return sorted(shards.glob("part-*.parquet"))


class ShardStore(ResultStore):
    """pairs/ (Parquet shards), done.jsonl and errors.jsonl of one output directory."""

    def __init__(self, out_dir: str | Path, fingerprint: dict, overwrite: bool = False, shard_pairs: int = 10000,
                 keep_fields: tuple[str, ...] = ()):
        if shard_pairs < 1:
            raise ValueError(f"shard_pairs={shard_pairs}: expected a positive number of rows per shard")
        self.dir = Path(out_dir)
        self.shards = self.dir / PAIRS_DIR
        self.shards.mkdir(parents=True, exist_ok=True)
        if overwrite:
            for name in (DONE, ERRORS, RUN, ACTORS, SUMMARY):
                (self.dir / name).unlink(missing_ok=True)
        self.shard_pairs, self.keep_fields = shard_pairs, keep_fields
        self._check_same_run(fingerprint)
        self.done = self._recover()
        self.resumed = len(self.done)
        self._buffer: list[tuple[dict, list[dict]]] = []
        self._buffered_rows = 0
        files = shard_files(self.shards)
        self._next = int(files[-1].stem.split("-")[1]) + 1 if files else 1
        self._done = (self.dir / DONE).open("a", encoding="utf-8")
        self._errors = (self.dir / ERRORS).open("w", encoding="utf-8")  # the input is read again in full

    def _recover(self) -> dict[str, str | None]:
        """Documents finished by an earlier run whose rows are all in the shards (doc_id -> digest); other rows
        are dropped. The shards' doc_id columns are read one shard at a time, twice, rather than held."""
        import pyarrow.parquet as pq

        for leftover in self.shards.glob(".part-*.tmp"):  # a shard cut off while being written
            leftover.unlink()
        finished = finished_documents(self.dir / DONE)
        counts: dict[str, int] = {}
        for path in shard_files(self.shards):
            for doc_id in _shard_ids(path) or []:
                counts[doc_id] = counts.get(doc_id, 0) + 1
        # A document whose rows do not add up (a hand-edited shard) is scored again rather than trusted.
        done = {doc_id: digest for doc_id, (pairs, digest) in finished.items() if counts.get(doc_id, 0) == pairs}
        for path in shard_files(self.shards):
            doc_ids = _shard_ids(path) or []
            if all(doc_id in done for doc_id in doc_ids):
                continue
            keep = [i for i, doc_id in enumerate(doc_ids) if doc_id in done]
            if keep:
                self._write_shard(path, pq.read_table(path).take(keep))
            else:
                path.unlink()
        rewrite_done(self.dir / DONE, done)
        return done

    def add_documents(self, finished: list[tuple[dict, list[dict]]]) -> None:
        """Buffer finished documents; a shard is written once they hold `shard_pairs` rows (or documents)."""
        self._buffer.extend(finished)
        self._buffered_rows += sum(len(rows) for _, rows in finished)
        if max(self._buffered_rows, len(self._buffer)) >= self.shard_pairs:
            self.flush()

    def flush(self) -> None:
        """Write the buffered documents: their rows as one shard, then their done lines."""
        if not self._buffer:
            return
        rows = [self._row(row) for _, doc_rows in self._buffer for row in doc_rows]
        if rows:
            import pyarrow as pa

            self._write_shard(self.shards / f"part-{self._next:06d}.parquet", pa.Table.from_pylist(rows))
            self._next += 1
        for record, _ in self._buffer:
            self._done.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.done[record["doc_id"]] = record.get("digest")
        self._done.flush()
        os.fsync(self._done.fileno())
        self._buffer, self._buffered_rows = [], 0

    def _row(self, row: dict) -> dict:
        """Kept fields as text, so that every shard has the same schema whatever the input's values."""
        if not self.keep_fields:
            return row
        return {**row, **{name: _as_text(row.get(name)) for name in self.keep_fields}}

    def _write_shard(self, path: Path, table) -> None:
        import pyarrow.parquet as pq

        tmp = path.with_name(f".{path.stem}.tmp")
        pq.write_table(table, tmp)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself reaches the disk before done.jsonl names the documents
        finally:
            os.close(directory)

    def close(self) -> None:
        """Write what is buffered (finished documents are never dropped), then close the files."""
        try:
            self.flush()
        finally:
            for handle in (self._done, self._errors):
                handle.close()

    def iter_pairs(self) -> Iterator[dict]:
        return iter_pairs(self.dir)


def _shard_ids(path: Path) -> list[str] | None:
    """The doc_id column of a shard; None (and the shard removed, said on stderr) when it cannot be read: its
    documents are then not done, and are scored again."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path, columns=["doc_id"]).column("doc_id").to_pylist()
    except (pa.ArrowException, OSError) as error:
        print(f"note: {path}: cannot be read ({str(error).splitlines()[0]}); its documents are scored again",
              file=sys.stderr)
        path.unlink()
        return None


def _as_text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
