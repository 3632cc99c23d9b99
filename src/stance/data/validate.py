"""Check gold label files (GUIDELINE.md "File format") and report every problem as "FILE:LINE: problem".

Row checks: JSON, keys and types, labels, spans against the document, mentions inside their claim,
actor/mentions/stance null together. File checks: no duplicate (doc_id, claim_id, actor), one span,
text and sentiment per claim, no overlapping claims. The document is `--document` or, by default,
`<doc_id>.txt` in `<gold dir>/../seed/` or `<paths.shared>/seed/`; without it the spans are checked
against the row's own text only.

`read_gold_rows` is the one reader of the gold format: training, evaluation and the agreement mode read
gold files through it, so every file they accept is one this validator accepts.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from stance.textfile import LineProblem, decode_text, json_type_name, jsonl_rows

STANCES = ("against", "neutral", "favor")
SENTIMENTS = ("negative", "neutral", "positive")
FIELD_TYPES = {  # key -> allowed JSON types, in the guideline's order
    "doc_id": (str,), "claim_id": (int,), "start": (int,), "end": (int,), "text": (str,),
    "actor": (str, type(None)), "mentions": (list,), "stance": (str, type(None)),
    "sentiment": (str,), "note": (str,), "phenomena": (list,),
}
OPTIONAL_FIELDS = {"note", "phenomena"}  # phenomena: the hard cases a row was written for, as strings
CLAIM_FIELDS = ("start", "end", "text", "sentiment")  # must agree across the rows of one claim


@dataclass
class GoldSummary:
    """What one gold file holds, and every problem found in it."""

    path: Path
    problems: list[str] = field(default_factory=list)
    claims: int = 0
    pairs: int = 0
    stances: Counter = field(default_factory=Counter)
    sentiments: Counter = field(default_factory=Counter)
    actors: Counter = field(default_factory=Counter)
    claims_with_actors: int = 0
    unchecked_documents: list[str] = field(default_factory=list)  # doc_ids whose text was not found
    document: str | None = None  # the text of the document given to check_gold, when it could be read
    documents: dict[str, str | None] = field(default_factory=dict)  # doc_id -> text looked up by doc_id
    valid_rows: list[tuple[int, dict]] = field(default_factory=list)  # (line, row) that passed the row checks


def _has_type(value: object, types: tuple) -> bool:
    if isinstance(value, bool):  # JSON true/false is not an offset
        return bool in types
    return isinstance(value, types)


def read_document(path: Path, problems: list[str]) -> str | None:
    """The document's text as the pipeline reads it, or None after recording why it cannot be read."""
    if not path.is_file():
        problems.append(f"{path}: document not found")
        return None
    text = decode_text(path.read_bytes())  # as scoring and extraction decode it (a leading BOM dropped)
    if isinstance(text, LineProblem):
        problems.append(f"{path}:{text.line}: {text.message}")
        return None
    return text


def check_fields(where: str, row: dict, problems: list[str]) -> bool:
    """Required keys present with the right JSON types, no unknown keys; False if the row can't be checked further."""
    ok = True
    for key, types in FIELD_TYPES.items():
        if key not in row:
            if key not in OPTIONAL_FIELDS:
                problems.append(f"{where}: missing key {key!r}")
                ok = False
        elif not _has_type(row[key], types):
            expected = " or ".join(json_type_name(t()) if t is not type(None) else "null" for t in types)
            problems.append(f"{where}: {key!r} must be {expected}, got {json_type_name(row[key])}")
            ok = False
    unknown = [key for key in row if key not in FIELD_TYPES]
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")
    return ok


def check_phenomena(where: str, row: dict, problems: list[str]) -> None:
    """`phenomena`, when given, is a list of non-empty strings without repeats."""
    phenomena = row.get("phenomena", [])
    bad = [json_type_name(item) for item in phenomena if not isinstance(item, str) or not item.strip()]
    if bad:
        problems.append(f"{where}: phenomena must be non-empty strings, got {', '.join(bad)}")
    elif len(set(phenomena)) != len(phenomena):
        problems.append(f"{where}: phenomena lists a phenomenon twice")


def check_labels(where: str, row: dict, problems: list[str]) -> None:
    """Stance and sentiment in the allowed sets; actor, mentions and stance null together."""
    if row["stance"] is not None and row["stance"] not in STANCES:
        problems.append(f"{where}: stance {row['stance']!r} is not one of {', '.join(STANCES)} (or null)")
    if row["sentiment"] not in SENTIMENTS:
        problems.append(f"{where}: sentiment {row['sentiment']!r} is not one of {', '.join(SENTIMENTS)}")
    actor, has_mentions, stance = row["actor"], bool(row["mentions"]), row["stance"]
    if actor is None and (has_mentions or stance is not None):
        problems.append(f"{where}: actor is null but mentions or stance are given "
                        "(a claim without actors has mentions [] and stance null)")
    elif actor is not None:
        if not actor.strip():
            problems.append(f"{where}: actor is an empty string (use null for a claim without actors)")
        if not has_mentions:
            problems.append(f"{where}: actor {actor!r} has no mentions")
        if stance is None:
            problems.append(f"{where}: actor {actor!r} has stance null")


def check_span(where: str, row: dict, document: str | None, problems: list[str]) -> None:
    """The claim's [start, end) is well formed and its text is exactly document[start:end]."""
    start, end, text = row["start"], row["end"], row["text"]
    if not 0 <= start < end:
        problems.append(f"{where}: claim span [{start}, {end}) needs 0 <= start < end")
        return
    if text != text.strip():
        problems.append(f"{where}: claim text has surrounding whitespace (the span must exclude it)")
    if document is None:
        if len(text) != end - start:
            problems.append(f"{where}: claim span [{start}, {end}) is {end - start} characters "
                            f"but text has {len(text)}")
    elif end > len(document):
        problems.append(f"{where}: claim span [{start}, {end}) runs past the document ({len(document)} characters)")
    elif document[start:end] != text:
        problems.append(f"{where}: claim text differs from document[{start}:{end}] = {document[start:end][:60]!r}")


def check_mentions(where: str, row: dict, document: str | None, problems: list[str]) -> None:
    """Every mention is {text, start, end} inside its claim's span, with text == document[start:end]."""
    seen = set()
    for index, mention in enumerate(row["mentions"]):
        label = f"mention {index}"
        if not isinstance(mention, dict):
            problems.append(f"{where}: {label} must be an object {{text, start, end}}, got {json_type_name(mention)}")
            continue
        bad = [key for key, types in (("text", (str,)), ("start", (int,)), ("end", (int,)))
               if not _has_type(mention.get(key), types)]
        if bad:
            problems.append(f"{where}: {label} needs {', '.join(bad)} ({{text: string, start, end: integers}})")
            continue
        m_text, m_start, m_end = mention["text"], mention["start"], mention["end"]
        label = f"mention {m_text!r} [{m_start}, {m_end})"
        if (m_start, m_end) in seen:
            problems.append(f"{where}: {label} is listed twice")
        elif any(m_start < end and start < m_end for start, end in seen):
            problems.append(f"{where}: {label} overlaps another mention of this row")
        seen.add((m_start, m_end))
        if not m_start < m_end:
            problems.append(f"{where}: {label} needs start < end")
        elif not (row["start"] <= m_start and m_end <= row["end"]):
            problems.append(f"{where}: {label} lies outside the claim [{row['start']}, {row['end']})")
        else:
            source = document[m_start:m_end] if document is not None else \
                row["text"][m_start - row["start"]:m_end - row["start"]]
            if source != m_text:
                problems.append(f"{where}: {label} text differs from the "
                                f"{'document' if document is not None else 'claim text'} there ({source!r})")


def check_claims(path: Path, rows: list[tuple[int, dict]], problems: list[str]) -> dict:
    """Cross-row checks; returns {(doc_id, claim_id): (first line, first row)} for the summary."""
    claims: dict[tuple, tuple[int, dict]] = {}
    pairs: dict[tuple, int] = {}
    mixed: set[tuple] = set()  # claims already reported for mixing a row without actor with actor rows
    for number, row in rows:
        where, key = f"{path}:{number}", (row["doc_id"], row["claim_id"])
        pair = (*key, row["actor"])
        if pair in pairs:
            problems.append(f"{where}: duplicate pair (claim {row['claim_id']}, actor {row['actor']!r}), "
                            f"first at line {pairs[pair]}")
        pairs.setdefault(pair, number)
        if key not in claims:
            claims[key] = (number, row)
            continue
        first_line, first = claims[key]
        for name in CLAIM_FIELDS:
            if row[name] != first[name]:
                problems.append(f"{where}: claim {row['claim_id']} has {name} {str(row[name])[:40]!r}, "
                                f"but {str(first[name])[:40]!r} at line {first_line}")
        if (row["actor"] is None) != (first["actor"] is None) and key not in mixed:
            mixed.add(key)
            problems.append(f"{where}: claim {row['claim_id']} has both a row without actor "
                            f"(line {pairs[(*key, None)]}) and rows with actors")
    by_doc: dict[str, list[tuple[int, int, int, int]]] = {}
    for (doc_id, claim_id), (number, row) in claims.items():
        by_doc.setdefault(doc_id, []).append((row["start"], row["end"], claim_id, number))
    for spans in by_doc.values():
        spans.sort()
        for (p_start, p_end, p_id, p_line), (start, end, claim_id, number) in pairwise(spans):
            if start < p_end:
                problems.append(f"{path}:{number}: claim {claim_id} [{start}, {end}) overlaps claim {p_id} "
                                f"[{p_start}, {p_end}) at line {p_line}")
    return claims


def seed_dirs(gold_path: Path) -> list[Path]:
    """Where a gold file's documents are looked for: the directory named as the file (`test.jsonl` ->
    `test/`, the commentary set's layout), `<gold dir>/../seed`, then `<paths.shared>/seed`."""
    return [gold_path.with_suffix(""), gold_path.parent.parent / "seed", _shared_seed_dir()]


@lru_cache(maxsize=1)
def _shared_seed_dir() -> Path:
    """`<paths.shared>/seed` as the commands resolve it (composing the config once, not per document)."""
    from stance.config import compose

    return Path(compose("extract").paths.shared) / "seed"


def _default_document(doc_id: str, dirs: list[Path], documents: dict, summary: GoldSummary) -> str | None:
    """`<doc_id>.txt` in the first of `dirs` that has it (read once per doc_id); a missing one is noted."""
    if doc_id not in documents:
        safe = doc_id and "/" not in doc_id and "\\" not in doc_id
        found = [d / f"{doc_id}.txt" for d in dirs if (d / f"{doc_id}.txt").is_file()] if safe else []
        documents[doc_id] = read_document(found[0], summary.problems) if found else None
        if documents[doc_id] is None:
            summary.unchecked_documents.append(doc_id)
    return documents[doc_id]


def check_gold(path: str | Path, document_path: str | Path | None = None,
               document_dir: str | Path | None = None) -> GoldSummary:
    """Every problem of one gold file, and its counts (claims, pairs, labels) for the summary. The rows are
    checked against `document_path` (one document), else `<document_dir>/<doc_id>.txt`, else `seed_dirs`."""
    path = Path(path)
    summary = GoldSummary(path)
    problems = summary.problems
    if not path.is_file():
        problems.append(f"{path}: {'not a file' if path.exists() else 'file not found'}")
        return summary
    rows = list(jsonl_rows(path, problems))
    if not rows and not problems:
        problems.append(f"{path}: no rows")
    documents = summary.documents
    dirs = [Path(document_dir)] if document_dir is not None else seed_dirs(path)
    given = summary.document = read_document(Path(document_path), problems) if document_path is not None else None
    checked = []
    for number, row in rows:
        where = f"{path}:{number}"
        if not check_fields(where, row, problems):
            continue
        document = given if document_path is not None else _default_document(row["doc_id"], dirs, documents, summary)
        found = len(problems)
        check_labels(where, row, problems)
        check_phenomena(where, row, problems)
        check_span(where, row, document, problems)
        check_mentions(where, row, document, problems)
        if len(problems) == found:
            summary.valid_rows.append((number, row))
        checked.append((number, row))
    claims = check_claims(path, checked, problems)
    summary.claims = len(claims)
    summary.sentiments.update(row["sentiment"] for _, row in claims.values())
    summary.claims_with_actors = len({(row["doc_id"], row["claim_id"]) for _, row in checked if row["actor"] is not None})
    for _, row in checked:
        if row["actor"] is not None:
            summary.pairs += 1
            summary.stances.update([row["stance"]])
            summary.actors.update([row["actor"]])
    return summary


def read_gold_rows(path: str | Path, problems: list[str], document_path: str | Path | None = None,
                   ) -> list[tuple[int, dict]]:
    """(line number, row) of a gold file, as `stance.textfile.jsonl_rows` gives them, after every check of
    `check_gold`: each problem is added to `problems` as "FILE:LINE: problem", and only the rows that pass
    the row checks are returned (all of them, when the file has no problem at all)."""
    summary = check_gold(path, document_path)
    problems.extend(summary.problems)
    return summary.valid_rows


def strict_gold_rows(path: str | Path, document_dir: str | Path | None = None) -> list[dict]:
    """Every row of a gold file, for scripts that measure or sample a labelled set: ValueError listing each
    "FILE:LINE: problem" when any check of `check_gold` fails, so no figure is computed on a broken file."""
    summary = check_gold(path, document_dir=document_dir)
    if summary.problems:
        raise ValueError("\n".join(summary.problems))
    return [row for _, row in summary.valid_rows]


def validate_gold(path: str | Path, document_path: str | Path | None = None) -> list[str]:
    """The problems of one gold file, one "FILE:LINE: problem" line each; empty when it is valid."""
    return check_gold(path, document_path).problems


def format_summary(summary: GoldSummary) -> str:
    """A few lines for a valid file: claims, pairs, label counts, actors, and any document not found."""
    def counts(counter: Counter, order: tuple) -> str:
        return ", ".join(f"{name} {counter[name]}" for name in order)

    without_actors = summary.claims - summary.claims_with_actors
    lines = [
        (f"{summary.path}: valid: {summary.claims} claims, {summary.pairs} (claim, actor) pairs, "
         f"{len(summary.actors)} actors, {without_actors} claims without actors"),
        f"  stance: {counts(summary.stances, STANCES)}",
        f"  sentiment (per claim): {counts(summary.sentiments, SENTIMENTS)}",
        "  actors: " + ", ".join(f"{name} {n}" for name, n in summary.actors.most_common()),
    ]
    if summary.unchecked_documents:
        lines.append(f"  document not found for doc_id(s) {', '.join(summary.unchecked_documents)}: "
                     "spans checked against the rows' own text only (give --document to check them)")
    return "\n".join(lines)
