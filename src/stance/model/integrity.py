"""SHA-256 digests of a model directory's files, recorded in stance_model.json and checked before loading.

A saved model is read from several files (the trained weights, the tokenizer, a backbone config). Their
digests and sizes are recorded under "files" when the directory is saved; loading checks each one first,
so a missing, truncated or altered file is refused with one line instead of loading something else.
A directory saved before digests were recorded still loads, with a one-line warning.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

log = logging.getLogger("stance.model")
FILES_KEY = "files"
META_FILE = "stance_model.json"


class IntegrityError(ValueError):
    """A file of a model directory is missing or differs from the digest recorded for it."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def model_files(model_dir: str | Path) -> list[str]:
    """Every file of the directory that loading reads, relative, except stance_model.json itself (which holds
    the digests) and what only people read (README.md, metrics.json, config.yaml)."""
    root = Path(model_dir)
    skip = {META_FILE, "README.md", "metrics.json", "config.yaml"}
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name not in skip
                  and not p.name.startswith("."))


def record_digests(model_dir: str | Path, meta: dict) -> dict:
    """`meta` with {"files": {name: {"sha256", "bytes"}}} for every file of `model_files`."""
    root = Path(model_dir)
    files = {name: {"sha256": sha256(root / name), "bytes": (root / name).stat().st_size}
             for name in model_files(root)}
    return {**meta, FILES_KEY: files}


def verify_model_files(model_dir: str | Path, meta: dict) -> None:
    """Raise IntegrityError (one line) for the first recorded file that is missing, of another size or another
    SHA-256; warn once when `meta` records no digests (a directory saved before they were recorded)."""
    root = Path(model_dir)
    files = meta.get(FILES_KEY)
    if not files:
        log.warning("%s: %s records no file digests (saved by an older version); its files are not verified",
                    root, META_FILE)
        return
    for name, recorded in files.items():
        path = root / name
        if not path.is_file():
            raise IntegrityError(f"{path}: missing (recorded in {META_FILE}); restore it or retrain the model")
        size = path.stat().st_size
        if size != recorded["bytes"]:
            raise IntegrityError(f"{path}: {size:,} bytes, {META_FILE} records {recorded['bytes']:,} "
                                 f"({'truncated' if size < recorded['bytes'] else 'altered'}); restore it or retrain")
        if sha256(path) != recorded["sha256"]:
            raise IntegrityError(f"{path}: SHA-256 differs from the one recorded in {META_FILE} (altered); "
                                 "restore it or retrain the model")
