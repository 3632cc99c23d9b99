"""No silent overwrite: training refuses a model directory that already holds something, unless asked to replace it."""
from __future__ import annotations

from pathlib import Path

from stance.data.sources import DataError


def check_output_dir(output_dir: str | Path, overwrite: bool) -> None:
    """Raise DataError (one line) when `output_dir` exists and is not empty and `overwrite` is false."""
    path = Path(output_dir)
    if overwrite or not path.exists():
        return
    if not path.is_dir():
        raise DataError([f"{path}: exists and is not a directory; choose another name=NAME (or output_dir=DIR)"])
    if any(path.iterdir()):
        raise DataError([(f"{path}: a model is already there; choose another name=NAME, or add overwrite=true to "
                         "replace it")])
