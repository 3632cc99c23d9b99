"""Bring a model directory saved by an earlier version up to date, without touching its weights:

- stance_model.json gets the SHA-256 and size of every file loading reads (`stance.model.integrity`), and,
  when it has none, the record of its backbone as installed now (architecture, weights SHA-256), which
  loading then checks: run it only where that backbone is the one the model was trained on;
- config.yaml gets its absolute paths rewritten relative to `paths.*` (`${paths.shared}/data/...`), with
  the `paths` group as the project composes it, so the directory reads the same in any clone.

    python scripts/maintenance/upgrade_model_dir.py models/default
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from omegaconf import OmegaConf

from stance.config import PathsConfig, portable_paths
from stance.model.classifier import resolve_backbone
from stance.model.integrity import BACKBONE_KEY, FILES_KEY, META_FILE, record_backbone, record_digests


def upgrade(model_dir: Path) -> list[str]:
    """Rewrite stance_model.json and config.yaml of `model_dir`; returns what was done."""
    done = []
    meta_path = model_dir / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if not meta.get(BACKBONE_KEY):
        meta = record_backbone(meta, resolve_backbone(meta["model_cfg"]["backbone"]))
        done.append(f"{meta_path}: backbone {meta['model_cfg']['backbone']}: {meta[BACKBONE_KEY]}")
    meta = record_digests(model_dir, {k: v for k, v in meta.items() if k != FILES_KEY})
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    done.append(f"{meta_path}: digests of {', '.join(meta[FILES_KEY])}")
    config_path = model_dir / "config.yaml"
    if config_path.is_file():
        saved = OmegaConf.to_container(OmegaConf.load(config_path), resolve=False)
        paths = OmegaConf.to_container(OmegaConf.structured(PathsConfig), resolve=False)
        config_path.write_text(OmegaConf.to_yaml(OmegaConf.create(portable_paths(saved, paths))), encoding="utf-8")
        done.append(f"{config_path}: paths relative to paths.*")
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_dirs", nargs="+", type=Path)
    for model_dir in parser.parse_args().model_dirs:
        print("\n".join(upgrade(model_dir)))


if __name__ == "__main__":
    main()
