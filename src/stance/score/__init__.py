"""Scoring: inputs -> StancePipeline (analysis + model) -> per-pair rows -> per-actor aggregates -> outputs.
`python -m stance.score` runs `run.main` over `command.run_score`."""
from stance.score.command import ScoreError, run_score
from stance.score.pipeline import StancePipeline

__all__ = ["ScoreError", "StancePipeline", "run_score"]
