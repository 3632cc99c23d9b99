"""Per (document, actor) aggregates of scored pairs.

A pair's score is P(favor) - P(against), in [-1, 1]. An actor's overall label in a document comes from
the mean score of its pairs: favor when mean >= band, against when mean <= -band, neutral in between
(|mean| < band; the band defaults to 0.15, `neutral_band` in conf/score.yaml).
"""
from __future__ import annotations

from collections.abc import Iterable

LABELS = ("against", "neutral", "favor")
ACTOR_COLUMNS = ("doc_id", "actor", "kind", "mentions", "claims", "mean_score",
                 "n_against", "n_neutral", "n_favor", "label", "forms")


def pair_score(probs: dict[str, float]) -> float:
    """P(favor) - P(against)."""
    return float(probs["favor"]) - float(probs["against"])


def overall_label(mean_score: float, neutral_band: float = 0.15) -> str:
    if mean_score >= neutral_band:
        return "favor"
    if mean_score <= -neutral_band:
        return "against"
    return "neutral"


def aggregate_actors(pairs: Iterable[dict], neutral_band: float = 0.15) -> list[dict]:
    """One row per (doc_id, actor) in order of first appearance, from pair rows (`pipeline.flatten_pairs`)."""
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
            "label": overall_label(mean, neutral_band),
            "forms": "; ".join(forms),
        })
    return rows
