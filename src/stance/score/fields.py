"""The columns a scoring input must have, and the metadata columns (`keep_fields`) carried to every output row.

A column named in the config (text_field, an explicit id_field, each kept field) that the input lacks is one
problem for the whole file, naming the file and the columns it has (a CSV's header, the keys of a JSONL
file's first record), instead of a fallback (ids `posts:2`) or one complaint per line.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

# Columns of pairs.jsonl and actors.csv that a kept field may not replace.
OUTPUT_COLUMNS = frozenset({"doc_id", "claim_id", "start", "end", "text", "actor", "kind", "mentions", "label",
                            "probs", "score", "windowed", "context_cut", "claims", "mean_score", "n_against",
                            "n_neutral", "n_favor", "forms", "sentiment", "sentiment_probs", "date"})


def check_keep_fields(keep_fields: Sequence[str]) -> None:
    """Raise ValueError (one line) for a kept field that would overwrite an output column, or is given twice."""
    clash = [name for name in keep_fields if name in OUTPUT_COLUMNS]
    if clash:
        raise ValueError(f"keep_fields: {', '.join(map(repr, clash))} would overwrite output column(s) of the "
                         "same name; keep the others and rename that column in the input")
    if len(set(keep_fields)) != len(keep_fields):
        raise ValueError(f"keep_fields: {list(keep_fields)} names a field twice")


def missing_columns(columns: Iterable[str], text_field: str, id_field: str | None,
                    keep_fields: Sequence[str]) -> str | None:
    """The problem line for the columns the input lacks, or None when it has them all."""
    have = list(columns)
    named = [text_field] + ([id_field] if id_field else []) + list(keep_fields)
    missing = [repr(name) for name in dict.fromkeys(named) if name not in have]
    if not missing:
        return None
    return f"no column{'s' if len(missing) > 1 else ''} {', '.join(missing)} (columns: {', '.join(have) or 'none'})"


def kept(row: dict, keep_fields: Sequence[str]) -> dict:
    """The kept fields of one input row (a row that leaves one out gives null there)."""
    return {name: row.get(name) for name in keep_fields}


def with_fields(rows: list[dict], fields: dict | None) -> list[dict]:
    """Pair rows with the document's kept fields appended."""
    return [dict(row, **fields) for row in rows] if fields else rows


def check_field_options(keep_fields: Sequence[str], input_format: str) -> None:
    """ValueError (one line) for kept fields that cannot work, before anything is loaded."""
    if keep_fields and input_format in ("txt", "dir"):
        raise ValueError(f"keep_fields={list(keep_fields)}: a {input_format} input has no fields; "
                         "metadata comes with JSONL or CSV records")
    check_keep_fields(keep_fields)
