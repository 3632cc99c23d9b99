"""What the Python API returns: typed results (dataclasses) and its one error type, `StanceError`.

`StancePipeline(text)` and `.score_many(...)` give a `DocumentResult` per document: its claims, each with the
stance toward every actor it names (`ActorStance`), and one `ActorSummary` per actor (the label follows its
claims, `stance.score.aggregate`). `.score_pairs(...)` gives a `PairStance` per given (text, target).
`to_dict()` / `pairs()` give the same plain data the command writes (pairs.jsonl rows).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


class StanceError(ValueError):
    """Anything the API cannot do, as one line: a model that cannot load, a registry file with a problem, a
    document that cannot be scored, a target not in its text."""


@dataclass
class MentionSpan:
    """Where an actor is named: `text == document[start:end]`; `source` says what found it (registry, ner, ...)."""

    text: str
    start: int
    end: int
    source: str


@dataclass
class ActorStance:
    """The author's stance toward one actor in one claim. `score` = P(favor) - P(against)."""

    actor: str
    kind: str
    mentions: list[MentionSpan]
    label: str
    probs: dict[str, float]
    score: float
    windowed: bool = False  # the claim was longer than the model reads: scored on a window around the mention
    context_cut: bool = False  # always false: a column of the removed context option, kept so rows read as before


@dataclass
class ClaimResult:
    """One claim (sentence) of a document and the actors it names; `sentiment` where the model has that head."""

    claim_id: int
    start: int
    end: int
    text: str
    actors: list[ActorStance]
    long_part: int = 0
    sentiment: str | None = None
    sentiment_probs: dict[str, float] | None = None


@dataclass
class ActorSummary:
    """One actor over a document: counts of its claims' labels and the label they give (majority, ties neutral)."""

    actor: str
    kind: str
    mentions: int
    claims: int
    mean_score: float
    n_against: int
    n_neutral: int
    n_favor: int
    label: str
    forms: str


@dataclass
class DocumentResult:
    """A scored document; `error` (and nothing else) when it could not be scored."""

    doc_id: str
    claims: list[ClaimResult] = field(default_factory=list)
    actors: list[ActorSummary] = field(default_factory=list)
    error: str | None = None

    @classmethod
    def from_dict(cls, result: dict) -> DocumentResult:
        """From the pipeline's plain result (`StancePipeline.score_batch`)."""
        claims = [ClaimResult(
            claim_id=c["claim_id"], start=c["start"], end=c["end"], text=c["text"], long_part=c.get("long_part", 0),
            actors=[ActorStance(**{**a, "mentions": [MentionSpan(**m) for m in a["mentions"]]}) for a in c["actors"]],
            sentiment=c.get("sentiment"), sentiment_probs=c.get("sentiment_probs")) for c in result["claims"]]
        fields = ActorSummary.__dataclass_fields__
        actors = [ActorSummary(**{k: v for k, v in row.items() if k in fields}) for row in result["actors"]]
        return cls(result["doc_id"], claims, actors)

    def to_dict(self) -> dict:
        return asdict(self)

    def pairs(self) -> list[dict]:
        """One row per (claim, actor), as pairs.jsonl has them."""
        return [{"doc_id": self.doc_id, "claim_id": c.claim_id, "start": c.start, "end": c.end, "text": c.text,
                 **asdict(a)} for c in self.claims for a in c.actors]


@dataclass
class PairStance:
    """The stance toward a given target in a given text (`StancePipeline.score_pairs`)."""

    text: str
    actor: str
    mentions: list[MentionSpan]
    label: str
    probs: dict[str, float]
    score: float
    windowed: bool = False
