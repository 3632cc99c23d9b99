"""`python -m stance.data validate PATH [PATH...] [--document DOC]`: check gold label files, exit 1 on any problem."""
from __future__ import annotations

import argparse
import sys

from stance.data.validate import check_gold, format_summary


def build_parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per data tool (only `validate` so far)."""
    parser = argparse.ArgumentParser(prog="python -m stance.data", description="Tools for the project's data files.")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check gold-format label files (GUIDELINE.md)")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="gold JSONL file(s)")
    validate.add_argument("--document", metavar="DOC",
                          help="the document the rows refer to "
                               "(default: <doc_id>.txt in <gold dir>/../seed or <paths.shared>/seed)")
    return parser


def validate_command(paths: list[str], document: str | None) -> int:
    """Print every problem (stderr) or each file's summary (stdout); 1 if any file has a problem."""
    failed = 0
    for path in paths:
        summary = check_gold(path, document)
        if summary.problems:
            failed += 1
            print("\n".join(summary.problems), file=sys.stderr)
            print(f"{path}: {len(summary.problems)} problem(s)", file=sys.stderr)
        else:
            print(format_summary(summary))
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return validate_command(args.paths, args.document)


if __name__ == "__main__":
    sys.exit(main())
