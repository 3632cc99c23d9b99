"""SHA-256 digests of a model directory's files, recorded in stance_model.json and checked before loading.

A saved model is read from several files (the trained weights, the tokenizer, a backbone config). Their
digests and sizes are recorded under "files" when the directory is saved; loading checks each one first,
so a missing, truncated or altered file is refused with one line instead of loading something else.
A directory saved before digests were recorded still loads, with a one-line warning.

The frozen backbone is not in the directory; what identifies it (architecture and the SHA-256 of its
weights) is recorded under "backbone", and loading refuses, in one line, a checkpoint that differs from it.
"""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

log = logging.getLogger("stance.model")
FILES_KEY = "files"
BACKBONE_KEY = "backbone"
META_FILE = "stance_model.json"
# Written by `python -m stance.backbones install` beside a backbone whose weights it checked against a pinned digest.
INSTALL_MARK_FILE = ".stance-installed.json"
ARCHITECTURE = ("model_type", "hidden_size", "num_hidden_layers", "vocab_size")


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


def backbone_record(path: str | Path) -> dict | None:
    """The architecture and weights SHA-256 of a local backbone checkpoint (None for a hub id). An installed
    backbone's digest is read from its install mark, which was checked against the pinned one."""
    root = Path(path)
    if not (root / "config.json").is_file():
        return None
    config = json.loads((root / "config.json").read_text(encoding="utf-8"))
    record = {key: config.get(key) for key in ARCHITECTURE}
    mark = root / INSTALL_MARK_FILE
    if mark.is_file():
        record["weights_sha256"] = json.loads(mark.read_text(encoding="utf-8"))["weights_sha256"]
        return record
    digests = [sha256(weights) for weights in sorted(root.glob("*.safetensors"))]
    # One file: its own SHA-256 (what an install pins); shards: the SHA-256 of their digests in order.
    joined = hashlib.sha256("".join(digests).encode()).hexdigest()
    record["weights_sha256"] = digests[0] if len(digests) == 1 else joined
    return record


def record_backbone(meta: dict, path: str | Path) -> dict:
    """`meta` with {"backbone": what identifies the checkpoint at `path`} (None for a hub id)."""
    return {**meta, BACKBONE_KEY: backbone_record(path)}


def check_backbone(model_dir: str | Path, meta: dict, path: str | Path) -> None:
    """Raise IntegrityError (one line) when the backbone at `path` is not the one the model was trained on;
    nothing to check for a directory saved before the record, or a backbone named by hub id."""
    recorded = meta.get(BACKBONE_KEY)
    found = backbone_record(path) if recorded else None
    if found is None or found == recorded:
        return
    name = meta["model_cfg"]["backbone"]
    differs = ", ".join(f"{key} {str(found.get(key))[:12]} (trained: {str(recorded.get(key))[:12]})"
                        for key in recorded if found.get(key) != recorded.get(key))
    raise IntegrityError(f"{model_dir}: backbone {name} at {path} is not the one this model was trained on: "
                         f"{differs}; use the model with its own backbone or retrain it")
