"""PerSenT (Bastan et al., COLING 2020): the author's sentiment toward an article's main person, per paragraph.

Each paragraph with a label and at least one reference to the person becomes one pair. The references are
located by aligning MASKED_DOCUMENT (every reference replaced by `[TGT]`, pronouns included) with DOCUMENT;
the masked text sometimes drops a neighbouring quote or space, so the alignment is a token diff, not a
literal search. Documents are split by a hash of DOCUMENT_INDEX into train / dev / test (70 / 15 / 15).
What cannot be used (paragraph counts that differ between the two columns, a paragraph without a located
reference or without a label) is counted and logged, never dropped silently.
"""
from __future__ import annotations

import csv
import logging
import re
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from stance.data.splits import hash_split
from stance.types import PairExample, Span

PERSENT_LABELS = {"Negative": "against", "Neutral": "neutral", "Positive": "favor"}
SPLITS = (("train", 70), ("dev", 85), ("test", 100))
MAX_PARAGRAPHS = 16
TOKEN = re.compile(r"\[TGT\]|\w+|[^\w\s]")
TRIM = " \t\"'“”‘’"
log = logging.getLogger("stance.data")


def persent_split(document_index: str) -> str:
    return hash_split(document_index, SPLITS)


def _tokens(text: str) -> list[re.Match]:
    return list(TOKEN.finditer(text))


def locate_references(paragraph: str, masked: str) -> list[Span]:
    """Spans of `paragraph` that the masked paragraph replaced by [TGT], in order. The two are aligned
    token by token (words and punctuation), so differing whitespace does not matter."""
    if "[TGT]" not in masked:
        return []
    masked_tokens, tokens = _tokens(masked), _tokens(paragraph)
    matcher = SequenceMatcher(None, [t.group() for t in masked_tokens], [t.group() for t in tokens], autojunk=False)
    spans = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace" or not any(t.group() == "[TGT]" for t in masked_tokens[i1:i2]):
            continue
        start, end = tokens[j1].start(), tokens[j2 - 1].end()
        piece = paragraph[start:end]
        start, end = start + len(piece) - len(piece.lstrip(TRIM)), end - (len(piece) - len(piece.rstrip(TRIM)))
        if start < end and re.search(r"\w", paragraph[start:end]):
            spans.append(Span(start, end))
    return spans


def read_persent(path: Path, cfg: Any, labels: tuple, problems: list[str]) -> list[PairExample]:
    """Paragraph pairs of the documents in the configured `split` (all documents when it is empty)."""
    split = cfg.get("split") if isinstance(cfg, dict) else getattr(cfg, "split", None)
    label_map = dict((cfg.get("label_map") if isinstance(cfg, dict) else getattr(cfg, "label_map", None))
                     or PERSENT_LABELS)
    skipped: Counter = Counter()
    examples = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{path}:{number}"
            missing = [k for k in ("DOCUMENT_INDEX", "DOCUMENT", "MASKED_DOCUMENT", "TARGET_ENTITY") if k not in row]
            if missing:
                problems.append(f"{where}: missing column(s) {', '.join(missing)}")
                break
            if split and persent_split(row["DOCUMENT_INDEX"]) != split:
                continue
            paragraphs, masked = row["DOCUMENT"].split("\n"), row["MASKED_DOCUMENT"].split("\n")
            if len(paragraphs) != len(masked):
                skipped["documents whose masked text has another paragraph count"] += 1
                continue
            for index, (paragraph, masked_paragraph) in enumerate(zip(paragraphs[:MAX_PARAGRAPHS], masked)):
                raw = (row.get(f"Paragraph{index}") or "").strip()
                if not raw:
                    skipped["paragraphs without a label"] += 1
                    continue
                label = label_map.get(raw, raw)
                if label not in labels:
                    problems.append(f"{where}: Paragraph{index}: unknown label {raw!r}")
                    continue
                spans = locate_references(paragraph, masked_paragraph)
                if not spans:
                    skipped["paragraphs without a located reference to the person"] += 1
                    continue
                examples.append(PairExample(
                    text=paragraph, spans=spans, label=label, actor=row["TARGET_ENTITY"],
                    pair_id=f"persent:{row['DOCUMENT_INDEX']}:{index}", origin=f"{where}:Paragraph{index}",
                ))
    if skipped:
        log.info("%s: %d paragraph pairs%s; not used: %s", path, len(examples), f" ({split})" if split else "",
                 ", ".join(f"{n} {what}" for what, n in skipped.items()))
    return examples
