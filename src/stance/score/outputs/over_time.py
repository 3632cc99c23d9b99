"""actors_over_time.csv: how the author's stance toward each actor moves, period by period.

One row per (actor, period) of the dated documents (`date_field=`): the claims that mention the actor, the
mean pair score (P(favor) - P(against)) over them, the pair label counts, and the actor's label by the rule
of actors.csv (`stance.score.aggregate.actor_label`: favor or against by which more of its claims have). Periods are ISO weeks
or calendar months (`period=week|month`, `stance.score.dates`).
"""
from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from stance.atomic import atomic_file
from stance.score.aggregate import Tally
from stance.score.dates import period_of

OVER_TIME = "actors_over_time.csv"
COLUMNS = ("actor", "kind", "period", "period_start", "documents", "claims", "mean_score",
           "n_against", "n_neutral", "n_favor", "label")


@dataclass
class OverTime:
    """The rows of actors_over_time.csv, and what could not be placed in a period."""

    rows: list[dict] = field(default_factory=list)
    undated_documents: int = 0  # documents with pairs but no date
    undated_pairs: int = 0


def actors_over_time(pairs: Iterable[dict], dates: dict[str, str | None], period: str) -> OverTime:
    """Rows ordered by actor (most claims overall first) and then by period; one pass over the rows."""
    groups: dict[tuple[str, str, str], Tally] = {}
    undated_docs: set[str] = set()
    result = OverTime()
    for pair in pairs:
        date = dates.get(pair["doc_id"])
        if date is None:
            undated_docs.add(pair["doc_id"])
            result.undated_pairs += 1
            continue
        label, start = period_of(date, period)
        key = (pair["actor"], label, start)
        if key not in groups:
            groups[key] = Tally(pair["kind"])
        groups[key].add(pair)
    result.undated_documents = len(undated_docs)
    totals: dict[str, int] = {}
    for (actor, _, _), tally in groups.items():
        totals[actor] = totals.get(actor, 0) + tally.claims
    for (actor, label, start), tally in sorted(groups.items(), key=lambda item: (
            -totals[item[0][0]], item[0][0], item[0][2])):
        figures = tally.figures()
        result.rows.append({"actor": actor, "kind": tally.kind, "period": label, "period_start": start,
                            **figures, "mean_score": round(figures["mean_score"], 4)})
    return result


def write_actors_over_time(out_dir: str | Path, rows: list[dict]) -> Path:
    """actors_over_time.csv in the run's directory, written to a temporary name and renamed."""
    path = Path(out_dir) / OVER_TIME
    with atomic_file(path, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path
