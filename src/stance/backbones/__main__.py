"""`python -m stance.backbones install NAME` (downloads and verifies a backbone) and `python -m stance.backbones list`."""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from stance.backbones.install import (
    BACKBONES,
    MARK_FILE,
    InstallError,
    backbone_dir,
    cache_root,
    find_backbone,
    install_backbone,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stance.backbones", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("install", help="download, assemble and verify a backbone into the cache")
    add.add_argument("name", help=f"one of: {', '.join(BACKBONES)}")
    add.add_argument("--cache", type=Path, help="cache directory instead of $STANCE_CACHE or ~/.cache/stance "
                     "(training and scoring then need STANCE_CACHE set to it)")
    commands.add_parser("list", help="the installable backbones and whether each is installed")
    args = parser.parse_args(argv)
    if args.command == "list":
        for key, spec in BACKBONES.items():
            target = backbone_dir(spec)
            state = "installed" if (target / MARK_FILE).is_file() else "not installed"
            print(f"{key}: {spec.name}, {state} ({target})")
        return 0
    try:
        _, spec = find_backbone(args.name)
        install_backbone(spec, args.cache)
    except (KeyError, InstallError) as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"error: pip download failed (exit {error.returncode}); see pip's message above", file=sys.stderr)
        return 1
    if args.cache and args.cache.expanduser().resolve() != cache_root().resolve():
        print(f"note: set STANCE_CACHE={args.cache} when training or scoring with it", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
