"""Splits a document into claims: sentences as GUIDELINE.md defines them, with document-absolute spans.

spaCy proposes sentence boundaries; rules correct it where it errs. A claim ends only at sentence-final
punctuation (". ! ?" and runs like "....") or at a paragraph break, never after a title ("Mr.", "Gen."),
an initial, or inside a quotation, and never before a lowercase word. Abbreviations that can also end
a sentence ("U.S.", "a.m.", "etc.") end a claim only where spaCy also puts a boundary. A sentence longer
than `max_claim_chars` has lost its punctuation: it is cut into sentence-sized claims of at most
`piece_chars`, at clause boundaries (or, without one, at a space or anywhere), so an unpunctuated text does
not become one claim the model must read through windows.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator

from spacy.tokens import Doc

from stance.types import Claim

# Words that, followed by a period, never end a sentence.
TITLES = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "cmdr", "gov",
    "sen", "rep", "pres", "amb", "rev", "hon", "st", "mt", "vs", "e.g", "i.e", "cf", "approx", "dept",
}
# Abbreviations that may end a sentence too: "... moved to the U.S. The Kremlin ..." splits if spaCy agrees.
SENTENCE_CAPABLE = {
    "etc", "inc", "ltd", "co", "corp", "jr", "sr", "no", "art", "vol", "fig", "jan", "feb", "aug",
    "sep", "sept", "oct", "nov", "dec", "a.m", "p.m", "u.s", "u.k", "u.n", "e.u", "u.s.a",
}
DOTTED_ACRONYM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
INITIAL = re.compile(r"^[A-Z]$")

# Sentence-final punctuation (with closing quotes/brackets) followed by whitespace and more text.
CANDIDATE = re.compile(r"([.!?\u2026]+[\"'\u201d\u2019)\]]*)(\s+)(?=\S)")
OPENING_QUOTES = {'"': '"', "\u201c": "\u201d", "\u00ab": "\u00bb"}
# Where an over-long sentence is cut, best first: after ; or :, before a dash, after a comma, at any space;
# with how many characters of the match stay at the end of the piece (the punctuation mark).
CLAUSE_BREAKS = ((re.compile(r"[;:]\s+"), 1), (re.compile(r"\s+(?=[\u2013\u2014-]+\s)"), 0),
                 (re.compile(r",\s+"), 1), (re.compile(r"\s+"), 0))
MAX_CLAIM_CHARS, PIECE_CHARS = 1000, 200


def segment_claims(doc: Doc, extra_abbreviations: Iterable[str] = (), max_claim_chars: int = MAX_CLAIM_CHARS,
                   piece_chars: int = PIECE_CHARS) -> list[Claim]:
    """Claims of a parsed document, numbered from 0 in document order; sentences longer than
    `max_claim_chars` are cut into claims of at most `piece_chars` (`split_long`)."""
    text = doc.text
    never_split_after = TITLES | {a.lower().rstrip(".") for a in extra_abbreviations}
    spacy_starts = {sent.start_char for sent in doc.sents}
    claims: list[Claim] = []
    for par_start, par_end in paragraphs(text):
        quotes = quoted_spans(text, par_start, par_end)
        cut = par_start
        for match in CANDIDATE.finditer(text, par_start, par_end):
            next_start = match.end()
            if ends_sentence(text, match, never_split_after, spacy_starts, quotes):
                claims.append(make_claim(len(claims), text, cut, match.end(1)))
                cut = next_start
        claims.append(make_claim(len(claims), text, cut, par_end))
    return split_long(claims, text, max_claim_chars, piece_chars)


def split_long(claims: list[Claim], text: str, limit: int, piece_chars: int | None = None) -> list[Claim]:
    """Every claim longer than `limit` characters cut into pieces of at most `piece_chars` (default: `limit`),
    each ending at the last clause boundary of its second half (`CLAUSE_BREAKS`, best kind first), else at
    `piece_chars`; all claims renumbered."""
    piece_chars = min(limit, piece_chars or limit)
    if piece_chars < 2:
        raise ValueError(f"max_claim_chars and split_piece_chars must be at least 2, got {limit}, {piece_chars}")
    out: list[Claim] = []
    for claim in claims:
        if claim.end - claim.start <= limit:
            out.append(Claim(len(out), claim.start, claim.end, claim.text))
            continue
        start, part = claim.start, 0
        while start < claim.end:
            part += 1
            if claim.end - start <= piece_chars:
                end = next_start = claim.end
            else:
                end, next_start = _cut(text, start, start + piece_chars)
            piece = make_claim(len(out), text, start, end)
            out.append(Claim(piece.claim_id, piece.start, piece.end, piece.text, part))
            start = next_start
            while start < claim.end and text[start].isspace():
                start += 1
    return out


def _cut(text: str, start: int, stop: int) -> tuple[int, int]:
    """(end of this piece, start of the next) for a piece in [start, stop): at the last clause boundary in
    the piece's second half, else at `stop` itself."""
    for pattern, kept in CLAUSE_BREAKS:
        last = None
        for last in pattern.finditer(text, start + (stop - start) // 2, stop):
            pass
        if last is not None:
            return last.start() + kept, last.end()
    return stop, stop


def make_claim(claim_id: int, text: str, start: int, end: int) -> Claim:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Claim(claim_id, start, end, text[start:end])


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Spans of paragraphs: blank lines always separate; a single line break does unless the next line
    starts with a lowercase letter (a hard-wrapped sentence going on)."""
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((offset, offset + len(line)))
        offset += len(line) + 1
    current: tuple[int, int] | None = None
    for start, end in lines:
        content = text[start:end].strip()
        if not content:
            if current:
                yield current
            current = None
        elif current and content[0].islower():
            current = (current[0], end)
        else:
            if current:
                yield current
            current = (start, end)
    if current:
        yield current


def quoted_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans between paired quotation marks inside [start, end); an unpaired quote opens nothing."""
    spans, position = [], start
    while position < end:
        char = text[position]
        if char in OPENING_QUOTES:
            close = text.find(OPENING_QUOTES[char], position + 1, end)
            if close == -1:
                position += 1
                continue
            spans.append((position, close + 1))
            position = close + 1
        else:
            position += 1
    return spans


def ends_sentence(text: str, match: re.Match, never_split_after: set[str], spacy_starts: set[int],
                  quotes: list[tuple[int, int]]) -> bool:
    """Whether the punctuation run in `match` ends a claim."""
    next_start = match.end()
    if text[next_start].islower():
        return False
    inside = bisect_right(quotes, (match.start(1) - 1, len(text))) - 1  # the last quote opening before the mark
    if inside >= 0 and next_start < quotes[inside][1]:
        return False
    punctuation = match.group(1)
    if punctuation.rstrip("\"'\u201d\u2019)]") != ".":
        return True  # "!", "?", "....": never an abbreviation
    word = previous_word(text, match.start(1))
    if INITIAL.match(word) or word.lower() in never_split_after:
        return False
    if word.lower() in SENTENCE_CAPABLE or DOTTED_ACRONYM.match(word):
        return next_start in spacy_starts
    return True


def previous_word(text: str, period: int) -> str:
    """The word before the period at `period`, without opening quotes or brackets: "U.S" for "(U.S."."""
    start = period
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:period].lstrip("\"'\u201c\u2018([")
