"""Document-level evaluation: one label per (document, actor), the unit actors.csv reports.

The gold label of a (document, actor) comes from its gold claims by `document_stance`, or for PerSenT from
the data set's own document label (TRUE_SENTIMENT, the author's view of the article's main person). The
predicted label is `stance.score.aggregate.actor_label` over the system's labels of the same pairs (given
pairs), or of the pairs the pipeline found (end to end: the rows of actors.csv, matched by actor name).
"""
from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from stance.data.persent import PERSENT_LABELS, persent_split
from stance.evaluate.units import ResamplingUnits, document_of
from stance.types import PairExample

Key = tuple[str, str]  # (document, actor)
RULE = ("the stance most of the actor's gold claims in the document have, neutral when two stances tie for most "
        "(stance.evaluate.document_level.document_stance)")


def document_stance(claim_stances: Iterable[str]) -> str:
    """The gold stance of an actor in a document: the stance most of its claims have; neutral when two tie for
    most. GUIDELINE.md labels claims only; its `neutral` ("mentioned without evaluation, or the evaluation is
    balanced or unclear") suggests counting only the polar claims, but on PerSenT's train and dev documents
    this rule, applied to the gold paragraph labels, agrees better with the document label (macro-F1 0.673,
    accuracy 0.716) than the balance of favor and against claims (0.625, 0.685); scripts/figures/compare_aggregate_rules.py."""
    ranked = Counter(claim_stances).most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return "neutral"
    return ranked[0][0]


def actor_groups(examples: list[PairExample]) -> dict[Key, list[int]]:
    """The rows of each (document, actor), in order of first appearance; pairs without a document or actor
    are left out."""
    groups: dict[Key, list[int]] = {}
    for i, example in enumerate(examples):
        document = document_of(example)
        if document is not None and example.actor is not None:
            groups.setdefault((document, example.actor), []).append(i)
    return groups


def gold_document_labels(examples: list[PairExample]) -> dict[Key, str]:
    """`document_stance` of each (document, actor) over its labelled gold pairs."""
    labelled = [e for e in examples if e.label is not None]
    return {key: document_stance(labelled[i].label for i in rows) for key, rows in actor_groups(labelled).items()}


def persent_document_labels(path: str | Path, split: str | None = None) -> dict[Key, str]:
    """PerSenT's own document label (TRUE_SENTIMENT) per (persent:DOCUMENT_INDEX, TARGET_ENTITY), for the
    documents of `split` (all when None), keyed as the PerSenT reader's pairs are."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return {(f"persent:{row['DOCUMENT_INDEX']}", row["TARGET_ENTITY"]): PERSENT_LABELS[row["TRUE_SENTIMENT"]]
                for row in csv.DictReader(handle)
                if not split or persent_split(row["DOCUMENT_INDEX"]) == split}


def document_gold(source_cfg, examples: list[PairExample]) -> tuple[dict[Key, str], str] | None:
    """A set's gold (document, actor) labels and where they come from; None for a set without documents."""
    fmt = source_cfg.get("format") if isinstance(source_cfg, dict) else source_cfg.format
    if fmt == "persent":
        split = source_cfg.get("split") if isinstance(source_cfg, dict) else source_cfg.split
        return persent_document_labels(source_cfg["path"] if isinstance(source_cfg, dict) else source_cfg.path,
                                       split), "PerSenT's document label (TRUE_SENTIMENT)"
    if fmt == "gold":
        return gold_document_labels(examples), RULE
    return None


def document_units(keys: list[Key]) -> ResamplingUnits:
    """Resample documents; within a single document, its (document, actor) rows."""
    index: dict[str, int] = {}
    ids = np.array([index.setdefault(document, len(index)) for document, _ in keys], dtype=np.int64)
    if len(index) <= 1:
        return ResamplingUnits(np.arange(len(keys), dtype=np.int64), "actors")
    return ResamplingUnits(ids, "documents")
