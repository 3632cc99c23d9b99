"""Every config group composes against its typed schema; a misspelt key fails with a clear message."""
import dataclasses
import typing
from pathlib import Path

import pytest
from hydra.errors import ConfigCompositionException
from omegaconf import OmegaConf

from stance.config import (
    CONF_DIR,
    DataConfig,
    EvaluateConfig,
    ExtractConfig,
    LabelExportConfig,
    LabelImportConfig,
    ScoreConfig,
    TrainConfig,
    TrainerConfig,
    compose,
    save_resolved,
)
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


# One source of defaults: the schemas (stance.config) hold every default; a YAML file holds only what differs
# from them (a choice, the data it names), so a default is never written twice and cannot drift. Experiments
# (`conf/experiment/`) are recipes: they may pin a value that is also the default; their keys are still checked.
COMMAND_SCHEMAS = {"train": TrainConfig, "score": ScoreConfig, "evaluate": EvaluateConfig, "extract": ExtractConfig,
                   "label_export": LabelExportConfig, "label_import": LabelImportConfig}
NOT_OPTIONS = ("defaults", "hydra")  # Hydra's own keys of a primary config


def group_schema(group: str) -> type:
    for schema in (TrainConfig, ScoreConfig):
        hints = typing.get_type_hints(schema)
        if group in hints:
            return hints[group]
    raise KeyError(group)


def config_files() -> list[tuple[str, type, bool]]:
    """(path relative to conf/, its schema, whether a value equal to the default is refused)."""
    files = [(f"{command}.yaml", schema, True) for command, schema in COMMAND_SCHEMAS.items()]
    for path in sorted(GROUP_DIR.glob("*/*.yaml")):
        group = path.parent.name
        if group == "experiment":
            files.append((f"{group}/{path.name}", TrainConfig, False))
        else:
            files.append((f"{group}/{path.name}", group_schema(group), True))
    return files


def _inner(hint):
    """X from Optional[X]."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if typing.get_origin(hint) is typing.Union and len(args) == 1 else hint


def problems_of(value, hint, where: str, default=dataclasses.MISSING, refuse_defaults: bool = True) -> list[str]:
    """Keys of `value` (a YAML mapping, list or scalar) that the schema type `hint` lacks, and values equal to
    the schema's default `default`."""
    hint = _inner(hint)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            return []
        defaults = OmegaConf.to_container(OmegaConf.structured(hint), resolve=False)
        hints = typing.get_type_hints(hint)
        found = []
        for key, item in value.items():
            if key not in hints:
                found.append(f"{where}{key}: no such field in {hint.__name__}")
            else:
                found += problems_of(item, hints[key], f"{where}{key}.", defaults[key], refuse_defaults)
        return found
    if refuse_defaults and default is not dataclasses.MISSING and value == default:
        return [f"{where.rstrip('.')}: {value!r} is the schema's default (stance/config.py); write it there only"]
    origin = typing.get_origin(hint)
    if origin is list and isinstance(value, list):
        (item_hint,) = typing.get_args(hint)
        return [p for i, item in enumerate(value) for p in problems_of(item, item_hint, f"{where}{i}.", 
                                                                       refuse_defaults=refuse_defaults)]
    if origin is dict and isinstance(value, dict):
        item_hint = typing.get_args(hint)[1]
        return [p for key, item in value.items() for p in problems_of(item, item_hint, f"{where}{key}.",
                                                                     refuse_defaults=refuse_defaults)]
    return []


def yaml_options(name: str) -> dict:
    """The options a config file sets, as written (interpolations unresolved), without Hydra's own keys; a
    `# @package _global_` file nested as it applies."""
    loaded = OmegaConf.load(GROUP_DIR / name)
    values = OmegaConf.to_container(loaded, resolve=False) if loaded is not None else {}
    return {key: value for key, value in (values or {}).items() if key not in NOT_OPTIONS}


@pytest.mark.parametrize("name, schema, refuse_defaults", config_files(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_default_is_written_once(name, schema, refuse_defaults):
    found = problems_of(yaml_options(name), schema, "", refuse_defaults=refuse_defaults)
    assert not found, f"conf/{name}:\n" + "\n".join(found)


def test_a_default_written_twice_or_an_unknown_key_is_found():
    assert problems_of({"seed": 21, "epochs": 2}, TrainerConfig, "") == [
        "seed: 21 is the schema's default (stance/config.py); write it there only"]
    assert problems_of({"train": [{"format": "gold", "path": "a", "text_field": "text"}]}, DataConfig, "") == [
        "train.0.text_field: 'text' is the schema's default (stance/config.py); write it there only"]
    assert problems_of({"ray": {"adress": None}}, ScoreConfig, "") == ["ray.adress: no such field in RayConfig"]
    assert problems_of({"trainer": {"epochs": 4}}, TrainConfig, "", refuse_defaults=False) == []
