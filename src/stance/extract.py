"""`python -m stance.extract input=PATH output=PATH`: a text's claims and their actor mentions, for inspection.

Writes one JSON line per claim: {"doc_id", "claim_id", "start", "end", "text", "mentions": [{"actor",
"kind", "text", "start", "end", "source"}]} with document-absolute offsets, and the resolved config
next to the output (`<output stem>.config.yaml`).
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import hydra
from omegaconf import DictConfig

from stance.analyse import DocumentAnalyser
from stance.analyse.actor_files import apply_actor_files
from stance.analyse.registry import RegistryError
from stance.config import CONF_DIR, save_resolved
from stance.textfile import LineProblem, decode_text
from stance.types import ClaimActors


class InputError(Exception):
    """A user error in the input file, as one line naming it."""


def read_document(path: Path) -> str:
    """The file's text as UTF-8 (a leading BOM dropped, line ends kept, as `python -m stance.score` reads it)."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    text = decode_text(path.read_bytes())
    if isinstance(text, LineProblem):
        raise InputError(f"{path}:{text.line}: {text.message}")
    return text


def claim_record(doc_id: str, item: ClaimActors) -> dict:
    claim = item.claim
    return {"doc_id": doc_id, "claim_id": claim.claim_id, "start": claim.start, "end": claim.end, "text": claim.text,
            "mentions": [{"actor": m.actor, "kind": m.kind, "text": m.text, "start": m.start, "end": m.end,
                          "source": m.source} for m in item.mentions]}


def run_extract(cfg: DictConfig) -> int:
    """Analyse `cfg.input`, write `cfg.output` (JSON lines) and its config; 0 on success, 1 on a user error."""
    source, output = Path(cfg.input), Path(cfg.output)
    try:
        text = read_document(source)
        apply_actor_files(cfg)  # actors_file=... merged over the actors group
        analyser = DocumentAnalyser.from_config(cfg.segment, cfg.actors)
        if problem := analyser.too_long(text):
            raise InputError(f"{source}: {problem}")
        (items,) = analyser([text])
        write_claims(output, source.stem, items)
        save_resolved(cfg, output.parent, f"{output.stem}.config.yaml")
    except (InputError, RegistryError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: cannot write {output}: {error.strerror or error}", file=sys.stderr)
        return 1
    if not items:
        print(f"{source}: no text (empty or whitespace only): 0 claims written to {output}", file=sys.stderr)
        return 0
    sources = Counter(m.source for item in items for m in item.mentions)
    actors = {m.actor for item in items for m in item.mentions}
    print(f"{source}: {len(items)} claims, {sum(sources.values())} mentions ({dict(sources)}) of {len(actors)} actors "
          f"-> {output}", file=sys.stderr)
    return 0


def write_claims(output: Path, doc_id: str, items: list[ClaimActors]) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as sink:
        for item in items:
            sink.write(json.dumps(claim_record(doc_id, item), ensure_ascii=False) + "\n")


@hydra.main(version_base="1.3", config_path=CONF_DIR, config_name="extract")
def main(cfg: DictConfig) -> None:
    code = run_extract(cfg)
    if code:
        sys.exit(code)


if __name__ == "__main__":
    from stance.cli import guard_command_line

    guard_command_line("extract")
    main()
