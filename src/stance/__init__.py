"""stance: who is the author for and against."""
from __future__ import annotations

from typing import Any

__all__ = ["StancePipeline", "StanceError", "DocumentResult", "ClaimResult", "ActorStance",  # noqa: RUF022
           "ActorSummary", "PairStance", "MentionSpan"]
RESULT_TYPES = tuple(__all__[1:])  # from stance.score.results


def __getattr__(name: str) -> Any:
    # Lazy, so that `import stance` does not pull in torch, transformers and spaCy.
    if name == "StancePipeline":
        from stance.score import StancePipeline

        return StancePipeline
    if name in RESULT_TYPES:
        from stance.score import results

        return getattr(results, name)
    raise AttributeError(f"module 'stance' has no attribute {name!r}")
