"""Training: data sources -> encoded pairs -> transformers' Trainer -> model directory with its card.
`python -m stance.train` runs `run.main`."""
from stance.train.run import train

__all__ = ["train"]
