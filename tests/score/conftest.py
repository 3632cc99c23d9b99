"""Fixtures of the scoring tests."""
import pytest

import stance.score.command

LOADED = {}


@pytest.fixture
def reuse_loaded_pipelines(monkeypatch):
    """Load each (model, precision, batch size, band) once for the many runs of a module; a failing load
    still fails. Modules opt in with `pytestmark = pytest.mark.usefixtures("reuse_loaded_pipelines")`."""
    real = stance.score.command.load_pipeline

    def load_pipeline(cfg):
        key = (cfg.model_dir, cfg.bf16, cfg.batch_size)
        if key not in LOADED:
            LOADED[key] = real(cfg)
        return LOADED[key]

    monkeypatch.setattr(stance.score.command, "load_pipeline", load_pipeline)
