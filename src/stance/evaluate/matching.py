"""Matching predicted (claim, actor) pairs to gold pairs by overlapping mention spans.

Shared by actor-detection measurement (scripts/figures/measure_extraction.py) and end-to-end evaluation, so
both count a pair as found the same way. A pair is its claim span, its canonical actor and its mention
spans, all document-absolute half-open [start, end). Two pairs *touch* when their claims overlap and
some mention of one overlaps some mention of the other (and, with `same_actor`, the actor names are
equal). End-to-end evaluation gives stance credit only through a `same_actor` matching and reports the
lenient one beside it (`stance.evaluate.end_to_end`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from stance.types import ClaimActors

Interval = tuple[int, int]


@dataclass(frozen=True)
class PairSpans:
    """One (claim, actor) pair as spans: the claim, the canonical actor, its mentions."""

    claim: Interval
    actor: str | None
    mentions: tuple[Interval, ...]


@dataclass
class PairMatching:
    """One-to-one matching: (gold index, predicted index) pairs, unmatched gold, unmatched predicted."""

    matched: list[tuple[int, int]]
    missed: list[int]
    spurious: list[int]


@dataclass
class Detection:
    """Per-pair verdicts, not one-to-one: `found[g]` a gold pair some predicted pair touches;
    `correct[p]` a predicted pair that touches some gold pair."""

    found: list[bool]
    correct: list[bool]

    def counts(self) -> dict:
        """tp/fp/fn and precision, recall, F1 (recall from gold pairs found, precision from predicted pairs correct)."""
        found, correct = sum(self.found), sum(self.correct)
        recall = found / len(self.found) if self.found else 0.0
        precision = correct / len(self.correct) if self.correct else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"gold": len(self.found), "found": found, "predicted": len(self.correct), "correct": correct,
                "precision": precision, "recall": recall, "f1": f1}


def overlap(a: Interval, b: Interval) -> int:
    """Characters two half-open intervals share (0 when disjoint)."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def mention_overlap(gold: PairSpans, predicted: PairSpans, same_actor: bool = False) -> int:
    """Characters shared by the two pairs' mentions; 0 unless their claims overlap (and, if asked, actors agree)."""
    if same_actor and gold.actor != predicted.actor:
        return 0
    if not overlap(gold.claim, predicted.claim):
        return 0
    return sum(overlap(a, b) for a in gold.mentions for b in predicted.mentions)


def detect_pairs(gold: Sequence[PairSpans], predicted: Sequence[PairSpans], same_actor: bool = False) -> Detection:
    """Which gold pairs are found and which predicted pairs are correct (issue 2's definition: any touch counts)."""
    touches = [[mention_overlap(g, p, same_actor) > 0 for p in predicted] for g in gold]
    return Detection(found=[any(row) for row in touches],
                     correct=[any(row[p] for row in touches) for p in range(len(predicted))])


def match_pairs(gold: Sequence[PairSpans], predicted: Sequence[PairSpans], same_actor: bool = False) -> PairMatching:
    """One-to-one matching of touching pairs, for comparing labels pair by pair.

    Greedy, best first: same actor name before a different one, then more overlapping characters, then
    text order. So where one span stands for two actors ("the two countries"), each gold pair takes the
    predicted pair of its own actor.
    """
    candidates = []
    for g, gold_pair in enumerate(gold):
        for p, predicted_pair in enumerate(predicted):
            shared = mention_overlap(gold_pair, predicted_pair, same_actor)
            if shared:
                candidates.append((gold_pair.actor != predicted_pair.actor, -shared, g, p))
    matched, used_gold, used_predicted = [], set(), set()
    for _, _, g, p in sorted(candidates):
        if g not in used_gold and p not in used_predicted:
            matched.append((g, p))
            used_gold.add(g)
            used_predicted.add(p)
    return PairMatching(sorted(matched), [g for g in range(len(gold)) if g not in used_gold],
                        [p for p in range(len(predicted)) if p not in used_predicted])


def gold_pair_spans(rows: Iterable[Mapping]) -> list[PairSpans]:
    """PairSpans of gold-format rows (GUIDELINE.md), skipping the actor-less rows (actor null)."""
    return [PairSpans((row["start"], row["end"]), row["actor"],
                      tuple((m["start"], m["end"]) for m in row["mentions"]))
            for row in rows if row.get("actor") is not None]


def predicted_pair_spans(items: Iterable[ClaimActors]) -> list[PairSpans]:
    """PairSpans of the pipeline's output: one per (claim, canonical actor), all its mentions."""
    return [PairSpans((item.claim.start, item.claim.end), actor, tuple((m.start, m.end) for m in mentions))
            for item in items for actor, mentions in item.actors().items()]
