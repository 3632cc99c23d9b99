"""Your own actor registry files: `actors_file=/path/mine.yaml` (one or a list), merged over the `actors` group.

A file has the shape of conf/actors/default.yaml (`registry:`, optionally `not_actors:` ...) or is a bare
mapping of actors (`Lula: {kind: person, aliases: [Lula]}`). Files merge in order, as `actors=[default,mine]`
does: a new name adds an actor, an existing name keeps its fields except those the file gives (a list the
file gives replaces the earlier list). Every problem names the file (and the line of the actor).
`registry_summary` is what a run's summary.json keeps of the registry: where it came from and its hash.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, OmegaConf, open_dict
from omegaconf.errors import OmegaConfBaseException

from stance.analyse.registry import KINDS, RegistryError
from stance.config import ActorEntry, ActorsConfig

GROUP_KEYS = set(ActorsConfig.__dataclass_fields__)
ENTRY_KEYS = set(ActorEntry.__dataclass_fields__)


def as_paths(value: Any) -> list[str]:
    """`actors_file` as a list: None -> [], one path -> [path], a list stays."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def _lines(text: str) -> dict[str, int]:
    """Line (1-based) of each actor name of a registry mapping, from the YAML node tree."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return {}
    if not isinstance(root, yaml.MappingNode):
        return {}
    pairs = root.value
    for key, value in root.value:
        if key.value == "registry" and isinstance(value, yaml.MappingNode):
            pairs = value.value
    return {key.value: key.start_mark.line + 1 for key, _ in pairs if isinstance(key, yaml.ScalarNode)}


def read_actor_file(path: str | Path) -> dict:
    """One actor file as a group dict (`registry`, `not_actors`, ...); RegistryError naming the file and line."""
    path = Path(path)
    if not path.is_file():
        raise RegistryError(f"{path}: actors_file not found" + (" (it is a directory)" if path.is_dir() else ""))
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise RegistryError(f"{where}: not valid YAML ({getattr(error, 'problem', error)})") from None
    if not isinstance(data, dict) or not data:
        raise RegistryError(f"{path}: expected a mapping of actors (Name: {{kind: ..., aliases: [...]}}) "
                            "or a `registry:` section")
    group = data if GROUP_KEYS & set(data) else {"registry": data}
    unknown = sorted(set(group) - GROUP_KEYS)
    if unknown:
        raise RegistryError(f"{path}: unknown key(s) {', '.join(map(repr, unknown))} "
                            f"(expected {', '.join(sorted(GROUP_KEYS))})")
    lines = _lines(text)
    for name, entry in (group.get("registry") or {}).items():
        where = f"{path}:{lines.get(str(name), 1)}"
        if not isinstance(entry, dict):
            raise RegistryError(f"{where}: actor {name!r}: expected {{kind: ..., aliases: [...]}}, got {entry!r}")
        extra = sorted(set(entry) - ENTRY_KEYS)
        if extra:
            raise RegistryError(f"{where}: actor {name!r}: unknown key(s) {', '.join(map(repr, extra))} "
                                f"(expected {', '.join(sorted(ENTRY_KEYS))})")
        if "kind" in entry and entry["kind"] not in KINDS:
            raise RegistryError(f"{where}: actor {name!r}: kind {entry['kind']!r} is not one of {', '.join(KINDS)}")
    return group


def merge_actor_files(actors_cfg: DictConfig, files: Iterable[str]) -> DictConfig:
    """The `actors` group with each file merged over it, in order."""
    merged = actors_cfg
    for path in files:
        group = read_actor_file(path)
        new = [name for name in group.get("registry") or {} if name not in (merged.get("registry") or {})]
        kindless = [name for name in new if "kind" not in group["registry"][name]]
        if kindless:
            raise RegistryError(f"{path}: new actor(s) {', '.join(map(repr, kindless))} need a kind "
                                f"({', '.join(KINDS)})")
        try:
            with open_dict(merged):  # a struct config (as Hydra composes it) takes new actors like a group file
                merged = OmegaConf.merge(merged, group)
        except OmegaConfBaseException as error:
            raise RegistryError(f"{path}: {str(error).splitlines()[0]}") from None
    return merged


def apply_actor_files(cfg: DictConfig) -> None:
    """Merge `cfg.actors_file` into `cfg.actors` in place, so everything after (the analyser, the resume
    fingerprint, the saved config) sees one registry."""
    files = as_paths(cfg.get("actors_file"))
    if files:
        with open_dict(cfg):
            cfg.actors = merge_actor_files(cfg.actors, files)


def registry_summary(actors_cfg: Any, files: Any = None) -> dict:
    """What a run keeps of its registry: the groups and files it came from, its size and a sha1 of its content."""
    container = OmegaConf.to_container(actors_cfg, resolve=True) if isinstance(actors_cfg, DictConfig) else actors_cfg
    digest = hashlib.sha1(json.dumps(container, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    return {"groups": _group_choice(), "files": as_paths(files), "actors": len(container.get("registry") or {}),
            "not_actors": len(container.get("not_actors") or []), "sha1": digest}


def _group_choice() -> str | None:
    """The `actors` group option(s) of the running Hydra app ("default", "[default, mine]"), None outside one."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return None
    choice = HydraConfig.get().runtime.choices.get("actors")
    return None if choice is None else str(choice)
