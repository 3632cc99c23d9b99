"""`python -m stance.label export|import key=value ...`: thin Hydra wrappers over `export_tasks` and
`import_labels`. The first argument names the command; the rest are Hydra overrides of conf/label_<command>.yaml.
"""
from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

from stance.config import CONF_DIR
from stance.data.validate import format_summary
from stance.label.export import ExportError, export_tasks
from stance.label.importer import LabelImportError, import_labels

USAGE = """usage: python -m stance.label export run=RUN_DIR [output=tasks.json] [n=200] [strategy=uncertain|random]
       python -m stance.label import input=export.json output=labels.jsonl [run=RUN_DIR] [skip_bad_tasks=true]"""
SHOWN_PROBLEMS = 50


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="label_export")
def export_command(cfg: DictConfig) -> None:
    try:
        result = export_tasks(cfg.run, cfg.output, cfg.n, cfg.strategy, cfg.seed, list(cfg.exclude))
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    order = "most uncertain first" if cfg.strategy == "uncertain" else f"a random sample (seed {cfg.seed})"
    print(f"{result.written} tasks ({order}, of {result.candidates} candidate claims) -> {result.tasks}\n"
          f"labelling config (Label Studio: Settings > Labeling Interface > Code) -> {result.label_config}")


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="label_import")
def import_command(cfg: DictConfig) -> None:
    try:
        result = import_labels(cfg.input, cfg.output, cfg.skip_bad_tasks, cfg.run)
    except LabelImportError as error:
        report(error.problems)
        print(f"error: {cfg.input}: nothing written ({len(error.problems)} problems; fix them in Label Studio "
              "and export again, or skip_bad_tasks=true)", file=sys.stderr)
        sys.exit(1)
    if result.problems:
        report(result.problems)
        print(f"note: {len(result.problems)} tasks left out (skip_bad_tasks=true)", file=sys.stderr)
    for what, count in sorted(result.counts.items()):
        if count:
            print(f"note: {count} {what}", file=sys.stderr)
    print(f"{result.claims} claims, {result.rows} rows -> {result.output}")
    print(format_summary(result.summary))
    if result.summary.problems:
        report(result.summary.problems)
        sys.exit(1)


def report(problems: list[str]) -> None:
    for problem in problems[:SHOWN_PROBLEMS]:
        print(problem, file=sys.stderr)
    if len(problems) > SHOWN_PROBLEMS:
        print(f"... and {len(problems) - SHOWN_PROBLEMS} more problems", file=sys.stderr)


COMMANDS = {"export": export_command, "import": import_command}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(USAGE, file=sys.stderr)
        sys.exit(2)
    command = COMMANDS[sys.argv.pop(1)]  # Hydra reads the rest as overrides
    command()
