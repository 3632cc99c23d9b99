"""Scoring: inputs -> StancePipeline (analysis + model) -> per-pair rows -> per-actor aggregates -> outputs.
`python -m stance.score` runs `run.main`."""
from stance.score.pipeline import StancePipeline
from stance.score.run import ScoreError, run_score

__all__ = ["ScoreError", "StancePipeline", "run_score"]
