"""One system's scored rows on one set, as the metrics take them: given pairs, end to end, and per (document,
actor). Each view says what its bootstrap resamples (`stance.evaluate.units`)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stance.evaluate.baselines import Scored
from stance.evaluate.document_level import Key, actor_groups, document_units
from stance.evaluate.end_to_end import DocumentPairs
from stance.evaluate.matching import PairMatching
from stance.evaluate.units import ResamplingUnits, resampling_units
from stance.score.aggregate import actor_label
from stance.types import PairExample

MISSED, SPURIOUS = "missed", "spurious"


@dataclass
class Rows:
    """Aligned gold, predicted, confidence, actor and the pair shown, and the units the intervals resample."""

    labels: list[str]
    gold: list[str] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    confidence: list[float | None] = field(default_factory=list)
    actors: list[str | None] = field(default_factory=list)
    details: list[dict] = field(default_factory=list)
    units: ResamplingUnits | None = None

    def add_row(self, gold: str, predicted: str, confidence: float | None, actor: str | None, detail: dict) -> None:
        self.gold.append(gold)
        self.predicted.append(predicted)
        self.confidence.append(confidence)
        self.actors.append(actor)
        self.details.append(detail)

    def add(self, gold: str, predicted: str, example: PairExample, probs: np.ndarray | None, **extra) -> None:
        """A row of one pair, shown with its text, mentions and probabilities."""
        self.add_row(gold, predicted, None if probs is None else float(probs.max()), example.actor, {
            "pair_id": example.pair_id, "origin": example.origin, "text": example.text, "actor": example.actor,
            "mentions": [example.text[s.start : s.end] for s in example.spans],
            "probabilities": None if probs is None else {l: round(float(p), 4) for l, p in zip(self.labels, probs)},
            "phenomena": list(example.phenomena),
            **extra,
        })


def given_pair_rows(examples: list[PairExample], scored: Scored, labels: list[str]) -> Rows:
    """The gold pairs, each labelled by the system."""
    rows = Rows(labels, units=resampling_units(examples))
    for i, example in enumerate(examples):
        rows.add(example.label, scored.labels[i], example, None if scored.probs is None else scored.probs[i])
    return rows


def end_to_end_rows(doc: DocumentPairs, matching: PairMatching, scored: Scored, labels: list[str]) -> Rows:
    """Matched pairs (gold pair shown), then missed gold pairs, then spurious predicted pairs. A spurious pair
    falls in the unit of its own claim (the pipeline's numbering), the others in their gold claim's."""
    rows = Rows(labels)
    probs = scored.probs if scored.probs is not None else [None] * len(doc.predicted)
    shown = []
    for g, p in matching.matched:
        rows.add(doc.gold[g].label, scored.labels[p], doc.gold[g], probs[p], predicted_actor=doc.predicted[p].actor)
        shown.append(doc.gold[g])
    for g in matching.missed:
        rows.add(doc.gold[g].label, MISSED, doc.gold[g], None)
        shown.append(doc.gold[g])
    for p in matching.spurious:
        rows.add(SPURIOUS, scored.labels[p], doc.predicted[p], probs[p])
        shown.append(doc.predicted[p])
    rows.units = resampling_units(shown)
    return rows


def _actor_detail(key: Key, examples: list[PairExample], members: list[int], scored: Scored | None) -> dict:
    return {"pair_id": f"{key[0]}|{key[1]}", "document": key[0], "actor": key[1], "claims": len(members),
            "text": examples[members[0]].text if members else "", "phenomena": [],
            "pair_labels": [scored.labels[i] for i in members] if scored else []}


def document_rows(examples: list[PairExample], scored: Scored, labels: list[str], gold: dict[Key, str]) -> Rows:
    """One row per gold (document, actor) that has pairs: `actor_label` over the system's labels of its pairs."""
    groups = {key: members for key, members in actor_groups(examples).items() if key in gold}
    rows = Rows(labels, units=document_units(list(groups)))
    for key, members in groups.items():
        predicted = actor_label(scored.labels[i] for i in members)
        rows.add_row(gold[key], predicted, None, key[1], _actor_detail(key, examples, members, scored))
    return rows


def end_to_end_document_rows(doc: DocumentPairs, scored: Scored, labels: list[str], gold: dict[Key, str]) -> Rows:
    """The (document, actor) rows of actors.csv against the gold ones, matched by document and actor name: a
    gold one the pipeline did not find is predicted "missed", one it found that the gold lacks is "spurious"."""
    found = actor_groups(doc.predicted)
    wanted = {key: label for key, label in gold.items() if key[0] in doc.documents}
    keys = list(wanted) + [key for key in found if key not in wanted]
    rows = Rows(labels, units=document_units(keys))
    for key in keys:
        members = found.get(key, [])
        predicted = actor_label(scored.labels[i] for i in members) if members else MISSED
        rows.add_row(wanted.get(key, SPURIOUS), predicted, None, key[1],
                     _actor_detail(key, doc.predicted, members, scored))
    return rows
