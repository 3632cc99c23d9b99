"""stance: who is the author for and against."""
from __future__ import annotations

from typing import Any

RESULT_TYPES = ("StanceError", "DocumentResult", "ClaimResult", "ActorStance", "ActorSummary", "PairStance",
                "MentionSpan")
__all__ = ["StancePipeline", *RESULT_TYPES]


def __getattr__(name: str) -> Any:
    # Lazy, so that `import stance` does not pull in torch, transformers and spaCy.
    if name == "StancePipeline":
        from stance.score import StancePipeline

        return StancePipeline
    if name in RESULT_TYPES:
        from stance.score import results

        return getattr(results, name)
    raise AttributeError(f"module 'stance' has no attribute {name!r}")
