"""The command line before Hydra reads it: a misspelt option gets "did you mean", and --help lists the options.

Hydra answers a key missing from the schema with "Could not override 'text_feild'. To append to your config
use +text_feild=body", and following that hint adds a key nothing reads. So each command checks its
`key=value` arguments against its typed schema (stance.config) first: an unknown key, with or without `+`,
is one line naming the closest existing keys. `--help` prints the command's options with their defaults and
comments (the schema's, where every default is written, with what conf/<command>.yaml sets over them), its
config groups and their choices, not the resolved config with its 194-actor registry; Hydra's own help stays
at --hydra-help.
"""
from __future__ import annotations

import ast
import dataclasses
import difflib
import inspect
import json
import re
import sys
import textwrap
import tokenize
import typing
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

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


def schema_comments(schema: type) -> dict[str, tuple[list[str], str]]:
    """Each field's comments in stance/config.py: (the comment lines just above it, the comment on its line)."""
    comments: dict[str, tuple[list[str], str]] = {}
    for cls in reversed([c for c in schema.__mro__ if dataclasses.is_dataclass(c)]):
        lines, _ = inspect.getsourcelines(cls)
        on_line: dict[int, str] = {}
        for token in tokenize.generate_tokens(iter(lines).__next__):
            if token.type == tokenize.COMMENT:
                on_line[token.start[0]] = token.string.lstrip("#").strip()
        body = ast.parse(textwrap.dedent("".join(lines))).body[0]
        for node in body.body:  # type: ignore[attr-defined]
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                above, row = [], node.lineno - 1
                while row in on_line and lines[row - 1].lstrip().startswith("#"):
                    above.insert(0, on_line[row])
                    row -= 1
                inline = on_line.get(node.lineno, "") if not lines[node.lineno - 1].lstrip().startswith("#") else ""
                comments[node.target.id] = (above, inline)
    return comments


def _yaml_value(value: Any) -> str:
    """A default as it is written on the command line (and in YAML)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_value(v)}" for k, v in value.items()) + "}"
    text = str(value)
    return json.dumps(text) if not text or text[0] in "*&!{}[],?|>'\"%@`#" or ": " in text or " #" in text else text


def option_lines(schema: type, overrides: dict | None = None, prefix: str = "", names: set[str] | None = None) -> list[str]:
    """The schema's options (those in `names`, else all), `prefix.key: default  # comment` with its comment lines
    above; `overrides`: the values a config file sets instead of the schema's defaults. Nested groups of options
    (ray.*) are listed key by key."""
    defaults = OmegaConf.to_container(OmegaConf.structured(schema), resolve=False)
    overrides, hints, comments, out = overrides or {}, typing.get_type_hints(schema), schema_comments(schema), []
    for field in dataclasses.fields(schema):
        if names is not None and field.name not in names:
            continue
        above, inline = comments.get(field.name, ([], ""))
        out += [f"  # {line}" for line in above]
        inline = "" if inline.startswith(("type:", "noqa")) else inline
        if dataclasses.is_dataclass(_unwrap(hints[field.name])):
            out += option_lines(_unwrap(hints[field.name]), overrides.get(field.name), f"{prefix}{field.name}.")
            continue
        value = overrides.get(field.name, defaults[field.name])
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = f"({len(value)} entries)"
        out.append(f"  {prefix}{field.name}: {_yaml_value(value)}" + (f"  # {inline}" if inline else ""))
    return out


def _file_options(path: Path) -> dict:
    """The options a config file sets (what differs from the schema), without Hydra's own keys."""
    loaded = OmegaConf.load(path) if path.is_file() else None
    values = OmegaConf.to_container(loaded, resolve=False) if loaded is not None else {}
    return {key: value for key, value in (values or {}).items() if key not in ("defaults", "hydra")}


def help_text(command: str) -> str:
    """Options with defaults and comments (the schema's, with what the command's config file sets over them), the
    config groups and their choices."""
    config = Path(CONF_DIR) / f"{command}.yaml"
    text = config.read_text(encoding="utf-8")
    header = [line for line in text.split("\ndefaults:")[0].splitlines() if line.startswith("# ")]
    usage = [line[2:] for line in header if not line.startswith(("# Every option", "# this file"))][:3]
    defaults = command_groups(command)
    schema = SCHEMAS[command]
    out = ["usage: " + (usage[0] if usage else f"python -m stance.{command} [key=value ...]"), *usage[1:], "",
           f"Options (key=value; defaults: {schema.__name__} in stance/config.py, with {config.name} over them):"]
    hints = typing.get_type_hints(schema)
    out += option_lines(schema, _file_options(config), names=set(hints) - set(defaults) - {"command"})
    out += ["", "Config groups (group=choice; conf/<group>/<choice>.yaml):"]
    for group, choice in defaults.items():
        choices = sorted(p.stem for p in (Path(CONF_DIR) / group).glob("*.yaml"))
        out.append(f"  {group}={choice}  (choices: {', '.join(choices)})")
        if group in FLAT_GROUPS and choice != "null":
            path = Path(CONF_DIR) / group / f"{choice}.yaml"
            out += ["  " + line for line in option_lines(_unwrap(hints[group]), _file_options(path), f"{group}.")]
    if "actors" in defaults:
        out.append("  your own actors: actors_file=/path/mine.yaml (or [a.yaml,b.yaml]); "
                   "see what is found with python -m stance.extract input=FILE")
    out += ["", ("Any key of a group can be set as group.key=value (data.train.0.path=FILE). Hydra's own help: "
                "--hydra-help; the full resolved config: --cfg job.")]
    return "\n".join(out)


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
