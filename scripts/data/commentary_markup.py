"""Convert the commentary set's inline markup (data/commentary/MARKUP.md) into the gold format.

    python3 scripts/data/commentary_markup.py check data/commentary/markup/rus-1.txt   # errors + counts
    python3 scripts/data/commentary_markup.py build                                    # write the set

`build` reads every `data/commentary/markup/*.txt`, splits the documents by a hash of their id into
train / dev / test (about 70 / 15 / 15), and writes `data/commentary/<split>.jsonl` (gold rows with a
`phenomena` list), the documents as `data/commentary/<split>/<doc_id>.txt` and `data/commentary/index.csv`
(one row per document: split and metadata). Offsets are computed here, never typed. Standard library only,
so writers can check their files with any Python 3.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SET_DIR = ROOT / "data" / "commentary"
STANCES = ("against", "neutral", "favor")
SENTIMENTS = {"neg": "negative", "neu": "neutral", "pos": "positive"}
TAGS = ("reported", "bystander", "irony", "hedge", "praise", "implicit")
COMPUTED_TAG = "multi"  # several actors with different stances in one claim
SPLITS = (("train", 70), ("dev", 85), ("test", 100))  # cumulative percent of the id hash
MENTION = re.compile(r"\[\[(.*?)\]\]")
CLAIM_LINE = re.compile(r"^\[(neg|neu|pos)\] (\S.*)$")
META_LINE = re.compile(r"^([a-z_]+):\s*(.*)$")
DOC_ID = re.compile(r"^[a-z]+-\d{3}$")
CLAIM_END = re.compile(r"""([.!?]|\.\.\.|…)["'’”)\]]*$""")
# A sentence end inside a claim line: terminal punctuation, a space, a capital; the word before must not be
# an abbreviation or an initial ("Mr. Lavrov", "U.S. Navy", "J. Smith").
INNER_END = re.compile(r"""(\S+)[.!?]["'’”)]*\s+["'‘“(]*[A-Z]""")
ABBREVIATIONS = {"Mr", "Mrs", "Ms", "Dr", "Gen", "Lt", "Col", "Maj", "Capt", "Sgt", "Adm", "St", "Sen", "Rep",
                 "Gov", "Prof", "Rev", "Jr", "Sr", "No", "vs", "etc", "e.g", "i.e", "U.S", "U.K", "U.N",
                 "E.U", "a.m", "p.m", "Jan", "Feb", "Aug", "Sept", "Oct", "Nov", "Dec"}


@dataclass
class Mention:
    surface: str
    actor: str
    stance: str | None  # None: the short form, takes the stance of a full mention of its actor
    tags: list[str]
    note: str
    start: int  # offset in the claim
    end: int


@dataclass
class Claim:
    sentiment: str
    text: str
    mentions: list[Mention]
    paragraph: int
    line: int


@dataclass
class Document:
    doc_id: str
    path: Path
    line: int
    meta: dict[str, str] = field(default_factory=dict)
    claims: list[Claim] = field(default_factory=list)


def parse_mention(inner: str, where: str, problems: list[str]) -> tuple | None:
    parts = inner.split("|")
    if len(parts) not in (2, 3, 4, 5) or not all(p.strip() for p in parts[:2]):
        problems.append(f"{where}: mention [[{inner}]] must be [[surface|Actor]] or [[surface|Actor|stance|tags|note]]")
        return None
    surface, actor = parts[0], parts[1].strip()
    stance = parts[2].strip() if len(parts) > 2 else None
    tags = [t.strip() for t in parts[3].split(",") if t.strip()] if len(parts) > 3 else []
    note = parts[4].strip() if len(parts) > 4 else ""
    if surface != surface.strip():
        problems.append(f"{where}: mention [[{inner}]]: surface has surrounding spaces")
    if surface.lower().startswith("the "):
        problems.append(f"{where}: mention [[{inner}]]: a leading 'the' is not part of a mention")
    if surface.endswith(("'s", "’s")):
        problems.append(f"{where}: mention [[{inner}]]: the possessive 's stays outside the mention")
    if stance is not None and stance not in STANCES:
        problems.append(f"{where}: mention [[{inner}]]: stance {stance!r} is not one of {', '.join(STANCES)}")
    for tag in tags:
        if tag not in TAGS:
            problems.append(f"{where}: mention [[{inner}]]: tag {tag!r} is not one of {', '.join(TAGS)}")
    return surface, actor, stance, tags, note


def parse_claim(body: str, where: str, problems: list[str]) -> tuple[str, list[Mention]]:
    """The claim's plain text and its mentions with offsets into it."""
    text, mentions, cursor = [], [], 0
    length = 0
    for match in MENTION.finditer(body):
        before = body[cursor:match.start()]
        text.append(before)
        length += len(before)
        parsed = parse_mention(match.group(1), where, problems)
        surface = parsed[0] if parsed else match.group(1).split("|")[0]
        if parsed:
            mentions.append(Mention(*parsed, start=length, end=length + len(surface)))
        text.append(surface)
        length += len(surface)
        cursor = match.end()
    text.append(body[cursor:])
    plain = "".join(text)
    if "[[" in plain or "]]" in plain:
        problems.append(f"{where}: unbalanced [[ or ]]")
    if not CLAIM_END.search(plain):
        problems.append(f"{where}: a claim must end with . ! ? or ... (optionally followed by a quote)")
    outside_quotes = re.sub(r'"[^"]*"|“[^”]*”', lambda m: "x" * len(m.group(0)), plain)
    for inner in INNER_END.finditer(outside_quotes):
        word = inner.group(1).strip("\"'(“‘")
        if word not in ABBREVIATIONS and not re.fullmatch(r"[A-Z]|([A-Z]\.)+[A-Z]?", word):
            problems.append(f"{where}: looks like two sentences (after {inner.group(0)!r}); one claim per line")
            break
    return plain, mentions


def parse_file(path: Path, problems: list[str]) -> list[Document]:
    documents: list[Document] = []
    doc: Document | None = None
    paragraph, in_header = 0, False
    for number, raw in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        line = raw.rstrip("\r")
        where = f"{path}:{number}"
        if line.startswith("### "):
            doc_id = line[4:].strip()
            if not DOC_ID.match(doc_id):
                problems.append(f"{where}: document id {doc_id!r} must look like 'rus-017'")
            doc = Document(doc_id, path, number)
            documents.append(doc)
            paragraph, in_header = 0, True
        elif not line.strip():
            if doc is not None and doc.claims:
                paragraph += 1
        elif doc is None:
            problems.append(f"{where}: text before the first '### doc_id' line")
        elif in_header and (meta := META_LINE.match(line)):
            doc.meta[meta.group(1)] = meta.group(2).strip()
        elif claim := CLAIM_LINE.match(line):
            in_header = False
            text, mentions = parse_claim(claim.group(2).rstrip(), where, problems)
            last = doc.claims[-1].paragraph if doc.claims else 0
            doc.claims.append(Claim(SENTIMENTS[claim.group(1)], text, mentions, max(paragraph, last), number))
        else:
            problems.append(f"{where}: expected a claim line starting with [neg], [neu] or [pos]")
    return documents


def split_of(doc_id: str) -> str:
    bucket = int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % 100
    return next(name for name, upper in SPLITS if bucket < upper)


def document_rows(doc: Document, problems: list[str]) -> tuple[str, list[dict]]:
    """The document's text and its gold rows (GUIDELINE.md), with a `phenomena` list per row."""
    pieces, rows, offset = [], [], 0
    for claim_id, claim in enumerate(doc.claims):
        if claim_id:
            gap = "\n\n" if claim.paragraph != doc.claims[claim_id - 1].paragraph else " "
            pieces.append(gap)
            offset += len(gap)
        pieces.append(claim.text)
        start, end = offset, offset + len(claim.text)
        offset = end
        by_actor: dict[str, list[Mention]] = {}
        for mention in claim.mentions:
            by_actor.setdefault(mention.actor, []).append(mention)
        where = f"{doc.path}:{claim.line}"
        stances = {}
        for actor, mentions in by_actor.items():
            given = {m.stance for m in mentions if m.stance is not None}
            if len(given) != 1:
                why = "no full mention with a stance" if not given else f"mentions disagree ({', '.join(sorted(given))})"
                problems.append(f"{where}: actor {actor!r}: {why}")
            stances[actor] = min(given) if given else "neutral"
        multi = len(set(stances.values())) > 1
        base = {"doc_id": doc.doc_id, "claim_id": claim_id, "start": start, "end": end, "text": claim.text}
        if not by_actor:
            rows.append({**base, "actor": None, "mentions": [], "stance": None,
                         "sentiment": claim.sentiment, "note": "", "phenomena": []})
        for actor, mentions in by_actor.items():
            tags = sorted({t for m in mentions for t in m.tags} | ({COMPUTED_TAG} if multi else set()))
            rows.append({**base, "actor": actor,
                         "mentions": [{"text": m.surface, "start": start + m.start, "end": start + m.end}
                                      for m in mentions],
                         "stance": stances[actor], "sentiment": claim.sentiment,
                         "note": "; ".join(m.note for m in mentions if m.note), "phenomena": tags})
    return "".join(pieces) + "\n", rows


def check_document(doc: Document, problems: list[str]) -> None:
    where = f"{doc.path}:{doc.line}"
    for key in ("genre", "voice"):
        if key not in doc.meta:
            problems.append(f"{where}: {doc.doc_id}: missing metadata '{key}:'")
    if not 5 <= len(doc.claims) <= 15:
        problems.append(f"{where}: {doc.doc_id}: {len(doc.claims)} claims (5-15 expected)")


def convert(paths: list[Path]) -> tuple[list[Document], dict[str, tuple[str, list[dict]]], list[str]]:
    problems: list[str] = []
    documents = [doc for path in paths for doc in parse_file(path, problems)]
    seen: dict[str, Document] = {}
    converted = {}
    for doc in documents:
        if doc.doc_id in seen:
            problems.append(f"{doc.path}:{doc.line}: duplicate document id {doc.doc_id} "
                            f"(first at {seen[doc.doc_id].path}:{seen[doc.doc_id].line})")
            continue
        seen[doc.doc_id] = doc
        check_document(doc, problems)
        converted[doc.doc_id] = document_rows(doc, problems)
    return documents, converted, problems


def counts(converted: dict[str, tuple[str, list[dict]]]) -> str:
    rows = [row for _, doc_rows in converted.values() for row in doc_rows]
    pairs = [row for row in rows if row["actor"] is not None]
    claims = {(row["doc_id"], row["claim_id"]): row["sentiment"] for row in rows}
    stances = Counter(row["stance"] for row in pairs)
    tags = Counter(tag for row in pairs for tag in row["phenomena"])
    share = ", ".join(f"{s} {stances[s]} ({stances[s] / max(len(pairs), 1):.0%})" for s in STANCES)
    return "\n".join([
        f"documents {len(converted)}, claims {len(claims)}, pairs {len(pairs)}",
        f"stance: {share}",
        f"sentiment: {dict(Counter(claims.values()))}",
        f"phenomena (pairs): {', '.join(f'{t} {tags[t]}' for t in (*TAGS, COMPUTED_TAG))}",
    ])


def build(set_dir: Path) -> int:
    paths = sorted((set_dir / "markup").glob("*.txt"))
    documents, converted, problems = convert(paths)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"{len(problems)} problem(s); nothing written", file=sys.stderr)
        return 1
    by_split: dict[str, list[str]] = {name: [] for name, _ in SPLITS}
    for doc_id in sorted(converted):
        by_split[split_of(doc_id)].append(doc_id)
    index = []
    for split, doc_ids in by_split.items():
        doc_dir = set_dir / split
        doc_dir.mkdir(parents=True, exist_ok=True)
        for stale in doc_dir.glob("*.txt"):
            stale.unlink()
        with open(set_dir / f"{split}.jsonl", "w", encoding="utf-8") as out:
            for doc_id in doc_ids:
                text, rows = converted[doc_id]
                (doc_dir / f"{doc_id}.txt").write_text(text, encoding="utf-8")
                out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
                index.append({"doc_id": doc_id, "split": split, "claims": len({r["claim_id"] for r in rows}),
                              "pairs": sum(r["actor"] is not None for r in rows)})
        print(f"{split}: {len(doc_ids)} documents")
    meta = {doc.doc_id: doc.meta for doc in documents}
    keys = ["doc_id", "split", "genre", "voice", "region", "claims", "pairs"]
    with open(set_dir / "index.csv", "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=keys, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({**meta[row["doc_id"]], **row} for row in index)
    for split, doc_ids in by_split.items():
        subset = {d: converted[d] for d in doc_ids}
        print(f"[{split}] {counts(subset)}")
    print(f"[all] {counts(converted)}")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"] and len(argv) > 1:
        _, converted, problems = convert([Path(p) for p in argv[1:]])
        print("\n".join(problems) or "no problems")
        print(counts(converted))
        return 1 if problems else 0
    if argv in ([], ["build"]):
        return build(SET_DIR)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
