"""`python -m stance.data validate PATH [PATH...]`: check labelled files in any training format, exit 1 on any problem.

Gold files (GUIDELINE.md) get the gold validator (`--document` names the text they refer to); every other
format (simple CSV/JSONL, NewsMTSC, PerSenT, generic csv/jsonl with offsets) is read by the reader that
training uses. The format is told from the columns unless `--format` names it.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stance.data.formats import check_source, format_source_summary, guess_format
from stance.data.sources import READERS
from stance.data.validate import check_gold, format_summary

OPTIONS = ("text_field", "target_field", "label_field", "id_field")


def build_parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per data tool (only `validate` so far)."""
    parser = argparse.ArgumentParser(prog="python -m stance.data", description="Tools for the project's data files.")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check labelled files in any format training reads")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="labelled file(s): gold JSONL, CSV, JSONL")
    validate.add_argument("--format", default="auto", choices=["auto", *READERS],
                          help="the file format (default: told from the columns)")
    validate.add_argument("--document", metavar="DOC",
                          help="gold files: the document the rows refer to "
                               "(default: <doc_id>.txt in <gold dir>/../seed or <paths.shared>/seed)")
    for option in OPTIONS:
        validate.add_argument("--" + option.replace("_", "-"), metavar="COLUMN", help=f"simple/csv/jsonl: {option}")
    validate.add_argument("--label", action="append", default=[], metavar="RAW=LABEL",
                          help="map a label of the file onto against/neutral/favor (repeatable)")
    return parser


def validate_command(paths: list[str], document: str | None, fmt: str = "auto", options: dict | None = None) -> int:
    """Print every problem (stderr) or each file's summary (stdout); 1 if any file has a problem."""
    failed = 0
    options = options or {}
    for path in paths:
        if fmt != "auto":
            chosen = fmt
        else:  # a path that is no file goes to the gold validator, which says so
            chosen = guess_format(Path(path), options.get("target_field", "target")) if Path(path).is_file() else "gold"
        if chosen == "gold":
            summary = check_gold(path, document)
            problems, text = summary.problems, None if summary.problems else format_summary(summary)
        else:
            source = check_source(path, chosen, options)
            problems, text = source.problems, None if source.problems else format_source_summary(source)
        if problems:
            failed += 1
            print("\n".join(problems), file=sys.stderr)
            print(f"{path}: {len(problems)} problem(s) (read as {chosen})", file=sys.stderr)
        else:
            print(text)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    options = {key: getattr(args, key) for key in OPTIONS if getattr(args, key)}
    if args.label:
        bad = [item for item in args.label if "=" not in item]
        if bad:
            print(f"error: --label takes RAW=LABEL, got {', '.join(bad)}", file=sys.stderr)
            return 2
        options["label_map"] = dict(item.split("=", 1) for item in args.label)
    return validate_command(args.paths, args.document, args.format, options)


if __name__ == "__main__":
    sys.exit(main())
