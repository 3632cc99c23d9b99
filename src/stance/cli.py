"""The command line before Hydra reads it: a misspelt option gets "did you mean", and --help lists the options.

Hydra answers a key missing from the schema with "Could not override 'text_feild'. To append to your config
use +text_feild=body", and following that hint adds a key nothing reads. So each command checks its
`key=value` arguments against its typed schema (stance.config) first: an unknown key, with or without `+`,
is one line naming the closest existing keys. `--help` prints the command's options with their defaults and
comments (its conf/<command>.yaml), its config groups and their choices, not the resolved config with its
194-actor registry; Hydra's own help stays at --hydra-help.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
import sys
import typing
from pathlib import Path

from stance.config import CONF_DIR, EvaluateConfig, ExtractConfig, ScoreConfig, TrainConfig

SCHEMAS = {"score": ScoreConfig, "train": TrainConfig, "evaluate": EvaluateConfig, "extract": ExtractConfig}
KEY = re.compile(r"^(?P<prefix>\+\+|\+|~)?(?P<key>[A-Za-z_][\w.\-]*)(?:=|$)")
FLAT_GROUPS = ("segment", "model", "trainer")  # groups whose options are printed key by key in --help


def command_groups(command: str) -> dict[str, str]:
    """The config groups of a command's defaults list, with their default choices ("experiment": "null")."""
    text = (Path(CONF_DIR) / f"{command}.yaml").read_text(encoding="utf-8")
    return dict(re.findall(r"^  - (\w+): *(\S+)", text, flags=re.MULTILINE))


def _unwrap(hint):
    """X from Optional[X]."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if typing.get_origin(hint) is typing.Union and len(args) == 1 else hint


def unknown_key(schema: type, key: str, top_groups: list[str] = ()) -> tuple[str, list[str]] | None:
    """(the first part of `key` the schema does not have, close names) or None when the schema has the key;
    `top_groups`: config groups that may be chosen at the top (experiment=NAME) without a schema field."""
    node, walked = schema, []
    for part in key.split("."):
        node = _unwrap(node)
        origin = typing.get_origin(node)
        if dataclasses.is_dataclass(node):
            hints = typing.get_type_hints(node)
            names = list(dict.fromkeys([*hints, *(top_groups if not walked else [])]))
            if part not in names:
                return ".".join([*walked, part]), [".".join([*walked, n]) for n in
                                                   difflib.get_close_matches(part, names, n=3, cutoff=0.6)]
            node = hints.get(part, typing.Any)
        elif origin is dict:
            node = typing.get_args(node)[1]
        elif origin is list:
            if not part.isdigit():
                return ".".join([*walked, part]), []
            node = typing.get_args(node)[0]
        else:
            return None  # Any, a plain value: nothing more to check
        walked.append(part)
    return None


def check_arguments(command: str, argv: list[str]) -> str | None:
    """The error line for the first unknown key among the `key=value` arguments, or None."""
    schema, top_groups = SCHEMAS[command], list(command_groups(command))
    for argument in argv:
        match = KEY.match(argument)
        if argument.startswith("-") and not argument.startswith(("+", "~")) or not match:
            continue
        key = match.group("key")
        if key.split(".")[0] == "hydra" or "@" in argument.split("=", 1)[0]:
            continue
        found = unknown_key(schema, key, top_groups)
        if found:
            name, close = found
            hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
            return (f"error: python -m stance.{command}: unknown option {name!r}{hint}; "
                    f"`python -m stance.{command} --help` lists the options")
    return None


def _yaml_options(path: Path, prefix: str = "") -> list[str]:
    """The option lines of a config file: no defaults list, no hydra section, comments kept."""
    lines, skipping = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        top = line[:1] not in (" ", "\t", "#", "-", "")
        if top:
            skipping = line.split(":", 1)[0] in ("defaults", "hydra")
        if skipping or (line.startswith("#") and not prefix and not lines):
            continue  # the file's usage line is printed once, above
        lines.append(f"  {prefix}{line}" if top and prefix else f"  {line}")
    return [line for line in lines if line.strip()]


def help_text(command: str) -> str:
    """Options with defaults and comments, the config groups and their choices."""
    config = Path(CONF_DIR) / f"{command}.yaml"
    text = config.read_text(encoding="utf-8")
    usage = [line.lstrip("# ") for line in text.splitlines() if line.startswith("# ")][:3]
    defaults = command_groups(command)
    out = ["usage: " + (usage[0] if usage else f"python -m stance.{command} [key=value ...]"), *usage[1:], "",
           f"Options (key=value; defaults from {config}):", *_yaml_options(config)]
    listed = set(re.findall(r"^(\w+):", text, flags=re.MULTILINE))
    schema = SCHEMAS[command]
    out += _also(schema, listed | set(defaults) | {"command"})
    out += ["", "Config groups (group=choice; conf/<group>/<choice>.yaml):"]
    hints = typing.get_type_hints(schema)
    for group, choice in defaults.items():
        choices = sorted(p.stem for p in (Path(CONF_DIR) / group).glob("*.yaml"))
        out.append(f"  {group}={choice}  (choices: {', '.join(choices)})")
        if group in FLAT_GROUPS and choice != "null":
            path = Path(CONF_DIR) / group / f"{choice}.yaml"
            out += _yaml_options(path, prefix=f"{group}.")
            listed_there = set(re.findall(r"^(\w+):", path.read_text(encoding="utf-8"), flags=re.MULTILINE))
            out += _also(hints[group], listed_there, prefix=f"{group}.")
    if "actors" in defaults:
        out.append("  your own actors: actors_file=/path/mine.yaml (or [a.yaml,b.yaml]); "
                   "see what is found with python -m stance.extract input=FILE")
    out += ["", ("Any key of a group can be set as group.key=value (data.train.0.path=FILE). Hydra's own help: "
                "--hydra-help; the full resolved config: --cfg job.")]
    return "\n".join(out)


def _also(schema: type, listed: set[str], prefix: str = "") -> list[str]:
    """The schema's plain options that the config file does not list, with their defaults."""
    hints = typing.get_type_hints(schema)
    others = [f for f in dataclasses.fields(schema) if f.name not in listed and not dataclasses.is_dataclass(
        _unwrap(hints[f.name]))]
    if not others:
        return []
    return ["  also (defaults in stance/config.py): " + ", ".join(f"{prefix}{f.name}={_default(f)}" for f in others)]


def _default(field: dataclasses.Field) -> str:
    value = field.default if field.default is not dataclasses.MISSING else field.default_factory()  # type: ignore[misc]
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def guard_command_line(command: str, argv: list[str] | None = None) -> None:
    """Before the Hydra app runs: print the options for --help / -h, exit 2 on an unknown option."""
    argv = sys.argv[1:] if argv is None else argv
    if "--help" in argv or "-h" in argv:
        print(help_text(command))
        sys.exit(0)
    problem = check_arguments(command, argv)
    if problem:
        print(problem, file=sys.stderr)
        sys.exit(2)
