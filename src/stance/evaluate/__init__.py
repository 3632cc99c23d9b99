"""Evaluation: gold sets -> model and baselines -> metrics with intervals -> report.
`python -m stance.evaluate` runs `run.main`."""
from stance.evaluate.run import run_agreement, run_evaluate

__all__ = ["run_agreement", "run_evaluate"]
