"""Per (document, actor) aggregates of scored pairs.

A pair's score is P(favor) - P(against), in [-1, 1]. An actor's overall label follows from its claims'
labels (`actor_label`): favor when more of its pairs are favor than against, against when more are against,
neutral when they balance (neutral pairs do not count: a mention without evaluation says nothing either way).
So the label always agrees with the counts beside it; the mean score is reported next to it as a degree, not
used for the label. The API, actors.csv, the view and actors_over_time.csv use this rule. Chosen on dev
(scripts/figures/compare_aggregate_rules.py, docs/evaluation.md) over the label most pairs have, the argmax of the
mean calibrated probabilities and a confidence-weighted vote.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import groupby

LABELS = ("against", "neutral", "favor")
ACTOR_COLUMNS = ("doc_id", "actor", "kind", "mentions", "claims", "mean_score",
                 "n_against", "n_neutral", "n_favor", "label", "forms")


def pair_score(probs: dict[str, float]) -> float:
    """P(favor) - P(against)."""
    return float(probs["favor"]) - float(probs["against"])


def actor_label(labels: Iterable[str]) -> str:
    """favor if more of an actor's pairs are favor than against, against if more are against, else neutral."""
    return actor_label_from_counts(Counter(labels))


def actor_label_from_counts(counts: dict[str, int]) -> str:
    """`actor_label` from the number of pairs with each label."""
    if counts["favor"] == counts["against"]:
        return "neutral"
    return "favor" if counts["favor"] > counts["against"] else "against"


RULE = "favor if more of the actor's pairs are favor than against, against if more are against, else neutral"


def aggregate_actors(pairs: Iterable[dict], fields: Iterable[str] = ()) -> list[dict]:
    """One row per (doc_id, actor) in order of first appearance, from pair rows (`pipeline.flatten_pairs`);
    `fields`: document metadata columns the pair rows carry (`keep_fields`), copied to each row."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for pair in pairs:
        groups.setdefault((pair["doc_id"], pair["actor"]), []).append(pair)
    rows = []
    for (doc_id, actor), members in groups.items():
        mean = sum(p["score"] for p in members) / len(members)
        forms: dict[str, None] = {}
        for pair in members:
            forms.update({m["text"]: None for m in pair["mentions"]})
        rows.append({
            "doc_id": doc_id,
            "actor": actor,
            "kind": members[0]["kind"],
            "mentions": sum(len(p["mentions"]) for p in members),
            "claims": len({p["claim_id"] for p in members}),
            "mean_score": round(mean, 4),
            **{f"n_{label}": sum(p["label"] == label for p in members) for label in LABELS},
            "label": actor_label(p["label"] for p in members),
            "forms": "; ".join(forms),
            **{name: members[0].get(name) for name in fields},
        })
    return rows


def document_groups(pairs: Iterable[dict]) -> Iterator[tuple[str, list[dict]]]:
    """(doc_id, its rows) for each document of a stream of pair rows, one document held at a time. The files a
    run writes keep a document's rows together; a document met again later is an error, not a silent split."""
    seen: set[str] = set()
    for doc_id, rows in groupby(pairs, key=lambda pair: pair["doc_id"]):
        if doc_id in seen:
            raise RuntimeError(f"the rows of document {doc_id!r} are not together in the run's pair files")
        seen.add(doc_id)
        yield doc_id, list(rows)


class Tally:
    """The running figures of one group of pair rows (an actor, or an actor in a period): what its table row
    needs, without holding the rows. Documents are counted as they change: a run keeps a document's rows
    together."""

    def __init__(self, kind: str):
        self.kind, self.claims, self.documents, self.score_sum = kind, 0, 0, 0.0
        self.labels = dict.fromkeys(LABELS, 0)
        self._last_doc: str | None = None

    def add(self, pair: dict) -> None:
        self.claims += 1
        self.score_sum += pair["score"]  # in row order, as sum() over the rows adds them
        self.labels[pair["label"]] += 1
        if pair["doc_id"] != self._last_doc:
            self.documents, self._last_doc = self.documents + 1, pair["doc_id"]

    def figures(self) -> dict:
        return {"documents": self.documents, "claims": self.claims, "mean_score": self.score_sum / self.claims,
                **{f"n_{name}": self.labels[name] for name in LABELS},
                "label": actor_label_from_counts(self.labels)}
