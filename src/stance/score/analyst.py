"""The files an analyst reads at the end of a scoring run: actors_over_time.csv (dated inputs) and view.html.

Both are rebuilt from the run's directory on every run, resumed or not, like actors.csv; when a run turns
one of them off (no `date_field`, `view=false`), a copy left by an earlier run in the same directory is
removed, so that what lies in the directory always describes its current results.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from omegaconf import DictConfig

from stance.score.dates import PERIODS
from stance.score.outputs.over_time import OVER_TIME, actors_over_time, write_actors_over_time
from stance.score.view.page import VIEW, ViewOptions, write_view

UNDATED_FORMATS = ("txt", "dir")  # inputs without fields, hence without a date_field


def check_options(cfg: DictConfig, input_format: str) -> None:
    """ValueError (one line) for options that cannot work, before anything is loaded."""
    if cfg.date_field is not None and input_format in UNDATED_FORMATS:
        raise ValueError(f"date_field={cfg.date_field}: a {input_format} input has no fields to read a date from; "
                         "dates come with JSONL, CSV or Parquet records")
    if cfg.period not in PERIODS:
        raise ValueError(f"period={cfg.period}: expected one of {', '.join(PERIODS)}")
    if cfg.view_documents < 0:
        raise ValueError(f"view_documents={cfg.view_documents}: expected 0 or more documents shown in full")


def write_analyst_files(cfg: DictConfig, pairs: Callable[[], Iterable[dict]], done: Callable[[], Iterable[dict]],
                        summary: dict) -> dict:
    """Write actors_over_time.csv and view.html as the options ask; returns what to add to summary.json.
    `pairs` and `done` open a fresh stream of the run's pair rows and done.jsonl records each time they are
    called: each file is read once per table, never held."""
    out = Path(cfg.output)
    info: dict = {}
    over_time = None
    if cfg.date_field is not None:
        dates = {record["doc_id"]: record.get("date") for record in done()}
        result = actors_over_time(pairs(), dates, cfg.period)
        write_actors_over_time(out, result.rows)
        over_time = result.rows
        undated = sum(date is None for date in dates.values())
        info["over_time"] = {"file": OVER_TIME, "period": cfg.period, "rows": len(result.rows),
                             "dated_documents": len(dates) - undated, "undated_documents": undated,
                             "undated_pairs": result.undated_pairs}
        if undated:
            print(f"note: {undated} of {len(dates)} documents have no {cfg.date_field!r} ({result.undated_pairs} "
                  f"pairs): they are not in {OVER_TIME}", file=sys.stderr)
    else:
        (out / OVER_TIME).unlink(missing_ok=True)
    if cfg.view:
        options = ViewOptions(max_documents=cfg.view_documents, top_actors=cfg.view_top_actors,
                              neutral_band=cfg.neutral_band, period=cfg.period)
        stats = write_view(out, pairs(), done(), summary, options, over_time)
        info["view"] = {"file": VIEW, "documents_in_index": stats.documents, "documents_in_full": stats.shown,
                        "bytes": stats.bytes}
    else:
        (out / VIEW).unlink(missing_ok=True)
    return info
