"""Plain data passed between the pipeline's stages: claims, mentions, pairs, examples.

Every span is a half-open character range [start, end) into the *document* text, so a stage never
needs to know how an earlier stage cut the text.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Claim:
    """One sentence of a document: `text == document[start:end]`."""

    claim_id: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Mention:
    """One surface mention of an actor, with document-absolute offsets."""

    actor: str  # canonical name
    kind: str  # state, person, government body, armed group, organisation, region, bloc, people, unknown
    text: str
    start: int
    end: int
    source: str  # registry | ner | pronoun | given


@dataclass(frozen=True)
class Span:
    """A target span inside a text whose offsets are relative to that text."""

    start: int
    end: int


@dataclass
class PairExample:
    """One (text, target) pair for the stance model; `spans` are relative to `text`.

    `label` is None at scoring time. `origin` says where it came from (file:line) for error messages.
    """

    text: str
    spans: list[Span]
    label: str | None = None
    actor: str | None = None
    pair_id: str = ""
    origin: str = ""

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
