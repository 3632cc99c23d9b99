"""The shared data directory (`paths.shared`; `../shared` beside the repository unless STANCE_SHARED or
`paths.shared=` says otherwise): the seed commentary and NewsMTSC are read from it in place, never copied.

A clone without it still scores (the default input is `data/examples/`). The commands that need it,
training on NewsMTSC and evaluating on the seed and NewsMTSC sets, check first and say in one line what is
missing and how to point at it, instead of a "file not found" per file.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

NEWSMTSC_URL = "https://github.com/fhamborg/NewsMTSC"


def missing_shared(shared: str, needed: Iterable[str | None], purpose: str) -> str | None:
    """One line when any of `needed` lies under `shared` and does not exist (None otherwise): what is missing,
    what needs it (`purpose`), how to point at the directory, and where NewsMTSC can be had."""
    root = os.path.normpath(shared)
    under = [str(p) for p in needed if p and os.path.normpath(str(p)).startswith(root.rstrip("/") + "/")]
    missing = [p for p in under if not Path(p).exists()]
    if not missing:
        return None
    if not Path(shared).is_dir():
        what = f"{shared}: no such directory (paths.shared)"
    else:
        more = f" (and {len(missing) - 1} more under paths.shared)" if len(missing) > 1 else ""
        what = f"{missing[0]}: not found{more}"
    return (f"{what}; {purpose} reads it: point at the shared data directory (seed/, data/...) with "
            f"paths.shared=/path/to/shared or STANCE_SHARED=/path/to/shared (NewsMTSC: {NEWSMTSC_URL})")
