"""What the bootstrap resamples: the document a pair comes from, read off its pair_id.

Pairs of one document share their author, topic and actors, so they are not independent draws; intervals
resample whole documents, and within a set of a single document, whole claims. A pair without a document
is a unit of its own (a NewsMTSC sentence), or with the other targets of its tweet (the tweet sets).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from stance.types import PairExample

GOLD_ID = re.compile(r"(?P<doc>.*?):(?P<claim>\d+):")  # the gold reader's doc:claim:actor
SCORED_ID = re.compile(r"(?P<doc>.*)/(?P<claim>\d+)(/|$)")  # the scoring pipeline's doc/claim/actor
PERSENT_ID = re.compile(r"(?P<doc>persent:[^:]+):(?P<claim>\d+)$")  # persent:DOCUMENT_INDEX:paragraph


def tweet_of(pair_id: str) -> str | None:
    """The tweet of a tweet set's pair: semeval:ID, pstance:FILE:LINE, ruw:FILE:LINE (of ruw:FILE:LINE:TARGET)."""
    if pair_id.startswith(("semeval:", "pstance:")):
        return pair_id
    return pair_id.rsplit(":", 1)[0] if pair_id.startswith("ruw:") else None


def _parts(pair_id: str) -> re.Match | None:
    if tweet_of(pair_id):
        return None
    return PERSENT_ID.match(pair_id) or GOLD_ID.match(pair_id) or SCORED_ID.match(pair_id)


def document_of(example: PairExample) -> str | None:
    """The document of a pair (a gold pair's doc_id, a PerSenT article, a scored pair's document); None for a
    pair that belongs to no document (NewsMTSC, tweets, tables)."""
    parts = _parts(example.pair_id)
    return parts["doc"] if parts else None


def claim_of(example: PairExample) -> str | None:
    """The claim (sentence, or PerSenT paragraph) of a pair within its document; None outside a document."""
    parts = _parts(example.pair_id)
    return f"{parts['doc']}#{parts['claim']}" if parts else None


@dataclass(frozen=True)
class ResamplingUnits:
    """Which unit each row belongs to (indices 0..count-1) and what the units are ("documents", "claims",
    "tweets", "pairs")."""

    ids: np.ndarray
    kind: str

    @property
    def count(self) -> int:
        return int(self.ids.max()) + 1 if len(self.ids) else 0

    def describe(self) -> str:
        """E.g. "documents (59)": what every record says it resampled."""
        return f"{self.kind} ({self.count})"


def _indices(keys: list[str]) -> np.ndarray:
    index: dict[str, int] = {}
    return np.array([index.setdefault(key, len(index)) for key in keys], dtype=np.int64)


def each_row(n: int) -> ResamplingUnits:
    """Every row a unit of its own (rows without document structure)."""
    return ResamplingUnits(np.arange(n, dtype=np.int64), "pairs")


def resampling_units(examples: list[PairExample]) -> ResamplingUnits:
    """Documents when the rows come from several; claims when they all come from one; tweets or the rows
    themselves when none has a document. A row without a document among rows with one is a unit of its own."""
    documents = [document_of(e) for e in examples]
    known = {d for d in documents if d is not None}
    if not known:
        tweets = [tweet_of(e.pair_id) for e in examples]
        if any(tweets):
            return ResamplingUnits(_indices([t or f"\0row{i}" for i, t in enumerate(tweets)]), "tweets")
        return each_row(len(examples))
    if len(known) == 1 and None not in documents:
        return ResamplingUnits(_indices([claim_of(e) for e in examples]), "claims")
    keys = [d if d is not None else f"\0row{i}" for i, d in enumerate(documents)]
    return ResamplingUnits(_indices(keys), "documents")
