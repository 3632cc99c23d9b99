"""Per (document, actor) aggregates of scored pairs.

A pair's score is P(favor) - P(against), in [-1, 1]. An actor's overall label follows from its claims'
labels (`actor_label`): favor when more of its pairs are favor than against, against when more are against,
neutral when they balance (neutral pairs do not count: a mention without evaluation says nothing either way).
So the label always agrees with the counts beside it; the mean score is reported next to it as a degree, not
used for the label. The API, actors.csv, the view and actors_over_time.csv use this rule. Chosen on dev
(scripts/compare_aggregate_rules.py, docs/evaluation.md) over the label most pairs have, the argmax of the
mean calibrated probabilities and a confidence-weighted vote.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

LABELS = ("against", "neutral", "favor")
ACTOR_COLUMNS = ("doc_id", "actor", "kind", "mentions", "claims", "mean_score",
                 "n_against", "n_neutral", "n_favor", "label", "forms")


def pair_score(probs: dict[str, float]) -> float:
    """P(favor) - P(against)."""
    return float(probs["favor"]) - float(probs["against"])


def actor_label(labels: Iterable[str]) -> str:
    """favor if more of an actor's pairs are favor than against, against if more are against, else neutral."""
    counts = Counter(labels)
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
