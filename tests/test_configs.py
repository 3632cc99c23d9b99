"""Every config group composes against its typed schema; a misspelt key fails with a clear message."""
from pathlib import Path

import pytest
from hydra.errors import ConfigCompositionException
from omegaconf import OmegaConf

from stance.config import CONF_DIR, compose, save_resolved
from stance.data.sources import READERS

GROUP_DIR = Path(CONF_DIR)


def options(group):
    return sorted(p.stem for p in (GROUP_DIR / group).glob("*.yaml"))


@pytest.mark.parametrize("option", options("data"))
def test_every_data_option_composes(option):
    cfg = compose("train", [f"data={option}"])
    assert cfg.data.train and cfg.data.dev
    for source in [*cfg.data.train, *cfg.data.dev, *cfg.data.test]:
        assert source.format in READERS  # a format some reader reads


@pytest.mark.parametrize("option", options("experiment"))
def test_every_experiment_composes(option):
    cfg = compose("train", [f"experiment={option}"])
    assert OmegaConf.to_container(cfg.model, resolve=True)["backbone"]


@pytest.mark.parametrize("group", ["model", "trainer", "paths", "segment"])
def test_every_option_of_simple_groups_composes(group):
    config_name = "extract" if group == "segment" else "train"
    for option in options(group):
        cfg = compose(config_name, [f"{group}={option}"])
        OmegaConf.to_container(cfg[group], resolve=True)


def test_default_train_config_resolves_paths():
    cfg = compose("train")
    assert cfg.model.labels == ["against", "neutral", "favor"]
    assert cfg.data.train[0].path.endswith("shared/data/pstance")
    assert cfg.output_dir.endswith("models/default")


def test_misspelt_key_fails_clearly():
    with pytest.raises(ConfigCompositionException) as caught:
        compose("train", ["trainer.learning_rte=1e-3"])
    assert "learning_rte" in str(caught.value.__cause__ or caught.value)
    with pytest.raises(ConfigCompositionException):
        compose("train", ["model.adapterr=none"])


def test_wrong_type_fails_clearly():
    with pytest.raises(ConfigCompositionException) as caught:
        compose("train", ["trainer.batch_size=many"])
    assert "batch_size" in str(caught.value.__cause__ or caught.value)


def test_missing_required_path_is_named():
    cfg = compose("train", ["data=generic"])
    with pytest.raises(Exception, match="path"):
        OmegaConf.to_container(cfg.data, resolve=True, throw_on_missing=True)


def test_resolved_config_is_saved(tmp_path):
    cfg = compose("train", ["name=example"])
    path = save_resolved(cfg, tmp_path)
    saved = OmegaConf.load(path)
    assert saved.output_dir.endswith("models/example") and "${" not in path.read_text()
