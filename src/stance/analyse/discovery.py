"""Names NER misses: a capitalised proper noun that is the subject of a clause ("Lula deserves real credit").

spaCy's small model misses names at the start of a sentence or in unfamiliar spellings ("Lula", "Petro"), and
the parser still marks them as the subject (nsubj) proper noun of their verb. Such a name outside every
registry match and NER entity becomes an actor of kind "unknown" (the parse says who acts, not what it is),
or the person whose surname it is when the document named that person in full before.
"""
from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc

from stance.types import Mention

SUBJECT_DEPS = {"nsubj", "nsubjpass"}
# Titles and offices the parser takes for proper nouns ("President said"): not names on their own.
TITLES = frozenset(("president", "premier", "minister", "prime", "chancellor", "secretary", "general", "king",
    "queen", "prince", "emir", "sheikh", "senator", "governor", "mayor", "speaker", "chairman", "chair",
    "director", "commander", "ambassador", "envoy", "pope", "parliament", "government", "court", "ministry",
    "army", "state", "kingdom", "republic"))


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)


def subject_mentions(doc: Doc, spans: list[tuple[int, int]], surnames: dict[str, Mention]) -> list[Mention]:
    """Subject proper nouns (with the proper nouns compounded before them: "Kemal Yildiz") outside `spans`."""
    found: list[Mention] = []
    for token in doc:
        if token.dep_ not in SUBJECT_DEPS or token.pos_ != "PROPN" or not token.text[:1].isupper():
            continue
        if token.is_stop or token.lower_ in TITLES or not token.text.isalpha() and "-" not in token.text:
            continue
        first = token
        while first.i > 0 and doc[first.i - 1].dep_ == "compound" and doc[first.i - 1].pos_ == "PROPN" \
                and doc[first.i - 1].head.i == token.i and doc[first.i - 1].text[:1].isupper():
            first = doc[first.i - 1]
        start, end = first.idx, token.idx + len(token.text)
        if _overlaps(start, end, spans) or _overlaps(start, end, [(m.start, m.end) for m in found]):
            continue
        name = doc.text[start:end]
        if name in surnames:
            found.append(Mention(surnames[name].actor, "person", name, start, end, "subject"))
        else:
            found.append(Mention(name, "unknown", name, start, end, "subject"))
    return found
