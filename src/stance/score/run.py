"""`python -m stance.score input=PATH output=DIR model_dir=DIR`: score new commentary with a saved model.

The Hydra entry point over `stance.score.command.score_and_report` (`run_score` and the terminal report); with
`engine=ray ray.address=ray://...` the whole run goes to the cluster's head node as one task
(stance.score.engines.ray_client), which runs the same function there.
"""
from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

from stance.analyse.registry import RegistryError
from stance.config import CONF_DIR
from stance.quiet import quiet_library_notices
from stance.score.command import score_and_report
from stance.score.engines.local import ScoreError
from stance.score.engines.ray_cluster import is_client_address


def score_over_client(cfg: DictConfig) -> int:
    """`ray.address=ray://...`: the run goes to the cluster as a task (stance.score.engines.ray_client)."""
    from stance.score.engines.ray_client import run_over_client
    from stance.score.engines.ray_cluster import RayUnavailable

    try:
        return run_over_client(cfg)
    except (RayUnavailable, RegistryError, ScoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="score")
def main(cfg: DictConfig) -> None:
    quiet_library_notices()
    over_client = cfg.engine == "ray" and is_client_address(cfg.ray.address)
    code = score_over_client(cfg) if over_client else score_and_report(cfg)
    if code:
        sys.exit(code)
