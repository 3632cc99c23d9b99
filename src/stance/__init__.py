"""stance: who is the author for and against."""
from __future__ import annotations

from typing import Any

__all__ = ["StancePipeline"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `import stance` does not pull in torch, transformers and spaCy.
    if name == "StancePipeline":
        from stance.score import StancePipeline

        return StancePipeline
    raise AttributeError(f"module 'stance' has no attribute {name!r}")
