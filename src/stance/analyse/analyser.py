"""Text -> claims and the actors each claim names: spaCy parses a batch of texts (`nlp.pipe`), the
claims are split (stance.segment) and their actors found (stance.actors).

spaCy's entity recogniser takes about half of en_core_web_sm's time, and is needed only to discover
actors the registry does not know. So it runs on the sentences where it can find one (a capitalised
word outside the registry's matches, `ActorDetector.ner_sentences`), not on whole documents: about a
quarter of commentary's sentences. A test checks it finds the same actors as NER on the whole text.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from omegaconf import DictConfig, OmegaConf

from stance.config import ActorsConfig, SegmentConfig
from stance.types import ClaimActors


def typed(schema: type, cfg: Any) -> DictConfig:
    """A config group checked against its schema (a misspelt key fails loudly)."""
    return OmegaConf.merge(OmegaConf.structured(schema), cfg if cfg is not None else {})


class DocumentAnalyser:
    """Claims and their actors for many texts; spaCy parses them in batches with `nlp.pipe`."""

    def __init__(self, nlp, detector, extra_abbreviations: Iterable[str] = (), pipe_batch_size: int = 16,
                 max_claim_chars: int = 1000, split_piece_chars: int = 200):
        self.nlp, self.detector = nlp, detector
        self.extra_abbreviations = list(extra_abbreviations)
        self.max_claim_chars, self.split_piece_chars = max_claim_chars, split_piece_chars
        self.pipe_batch_size = pipe_batch_size

    @classmethod
    def from_config(cls, segment_cfg: Any, actors_cfg: Any) -> DocumentAnalyser:
        from stance.analyse.actors import ActorDetector
        from stance.analyse.nlp import load_nlp

        segment_cfg, actors_cfg = typed(SegmentConfig, segment_cfg), typed(ActorsConfig, actors_cfg)
        nlp = load_nlp(segment_cfg.spacy_model, ner=actors_cfg.discover_ner)
        return cls(nlp, ActorDetector.from_config(actors_cfg), segment_cfg.extra_abbreviations,
                   max_claim_chars=segment_cfg.max_claim_chars, split_piece_chars=segment_cfg.split_piece_chars)

    def too_long(self, text: str) -> str | None:
        if len(text) > self.nlp.max_length:
            return f"text has {len(text):,} characters, more than spaCy's max_length {self.nlp.max_length:,}"
        return None

    def __call__(self, texts: list[str]) -> list[list[ClaimActors]]:
        from stance.analyse.nlp import recognise_entities
        from stance.analyse.segment import segment_claims

        targeted_ner = self.detector.discover_ner and "ner" in self.nlp.pipe_names
        with self.nlp.select_pipes(disable=["ner"] if targeted_ner else []):
            docs = list(self.nlp.pipe(texts, batch_size=self.pipe_batch_size))
        matches = [self.detector.registry.scan(doc.text) for doc in docs]  # once per document, for both uses
        if targeted_ner:
            recognise_entities(self.nlp.get_pipe("ner"),
                               [(doc, self.detector.ner_sentences(doc, found)) for doc, found in zip(docs, matches)])
        analysed = []
        for doc, found in zip(docs, matches):
            claims = (segment_claims(doc, self.extra_abbreviations, self.max_claim_chars, self.split_piece_chars)
                      if doc.text.strip() else [])
            analysed.append(self.detector.detect(doc, claims, found) if claims else [])
        return analysed
