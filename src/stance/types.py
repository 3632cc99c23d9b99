"""Plain data passed between the pipeline's stages: claims, mentions, pairs, examples.

Every span is a half-open character range [start, end) into the *document* text, so a stage never
needs to know how an earlier stage cut the text.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Claim:
    """One sentence of a document: `text == document[start:end]`. A sentence longer than the splitter's
    limit becomes several claims, numbered 1, 2, ... in `long_part` (0 for every other claim)."""

    claim_id: int
    start: int
    end: int
    text: str
    long_part: int = 0


@dataclass(frozen=True)
class Mention:
    """One surface mention of an actor, with document-absolute offsets."""

    actor: str  # canonical name
    # a registry kind (state, person, government body, armed group, organisation, party, media, region, bloc,
    # people), a discovery's NER kind (person, organisation, place, people) or unknown (stance.analyse.discovery)
    kind: str
    text: str
    start: int
    end: int
    source: str  # registry | ner | subject (stance.analyse.discovery) | pronoun | phrase ("the two countries") | given


@dataclass(frozen=True)
class Span:
    """A target span inside a text whose offsets are relative to that text."""

    start: int
    end: int


@dataclass
class PairExample:
    """One (text, target) pair for the stance model; `spans` are relative to `text`.

    `label` is None at scoring time, and for a claim that is there only for its `sentiment` (no actor,
    no spans). `origin` says where it came
    from (file:line) for error messages; `source` names the data source, `phenomena` the hard cases the
    pair was written for (commentary set). `label_set` names the labels its source can give when that is
    fewer than the model's (P-Stance has no neutral): the loss then compares those labels only.
    """

    text: str
    spans: list[Span]
    label: str | None = None
    actor: str | None = None
    pair_id: str = ""
    origin: str = ""
    sentiment: str | None = None
    source: str = ""
    phenomena: tuple[str, ...] = ()
    label_set: tuple[str, ...] = ()  # empty: every label of the model

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ClaimActors:
    """A claim with the actors it mentions (all mentions of one actor grouped)."""

    claim: Claim
    mentions: list[Mention] = field(default_factory=list)

    def actors(self) -> dict[str, list[Mention]]:
        """Mentions grouped by canonical actor, in order of first appearance."""
        grouped: dict[str, list[Mention]] = {}
        for mention in self.mentions:
            grouped.setdefault(mention.actor, []).append(mention)
        return grouped
