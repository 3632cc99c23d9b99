"""End to end on a gold set with its documents: the pipeline splits each document into claims and finds the
actors itself; its (claim, actor) pairs are matched one to one to the gold pairs by overlapping mention spans
within overlapping claims (`stance.evaluate.matching.match_pairs`, the matching actor-detection measurement
uses too). Two matchings are kept: the strict one gives stance credit only to a pair linked to the gold pair's
actor; the lenient one (before issue 22) to any touching pair.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from omegaconf import DictConfig

from stance.data.sources import DataError
from stance.data.validate import check_gold
from stance.evaluate.matching import PairMatching, PairSpans, detect_pairs, gold_pair_spans, match_pairs
from stance.evaluate.metrics import claim_split_agreement, detection_scores
from stance.score.pipeline import document_pairs as pipeline_pairs
from stance.types import ClaimActors, PairExample


@dataclass
class DocumentPairs:
    """The gold pairs of a set's documents, the pipeline's pairs for them, and how they match: `same_actor`
    (a pair matches only a gold pair of its actor) and `lenient` (any touching pair)."""

    name: str
    documents: list[str]
    gold: list[PairExample]
    predicted: list[PairExample]
    same_actor: PairMatching
    lenient: PairMatching
    claims: dict
    touch_detection: dict  # found / correct counted without one-to-one matching, as extraction measures it


def _extend(total: PairMatching, part: PairMatching, g0: int, p0: int) -> None:
    """Add one document's matching to the set's, its indices shifted past the earlier documents' pairs."""
    total.matched += [(g0 + g, p0 + p) for g, p in part.matched]
    total.missed += [g0 + g for g in part.missed]
    total.spurious += [p0 + p for p in part.spurious]


def pipeline_analyser(cfg: DictConfig) -> Callable[[str], list[ClaimActors]]:
    """Claim splitting and actor detection as configured, exactly as scoring runs them."""
    from stance.analyse import DocumentAnalyser

    analyser = DocumentAnalyser.from_config(cfg.segment, cfg.actors)
    return lambda text: analyser([text])[0]


def gold_documents(set_cfg: DictConfig) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """The set's gold rows by document, and each document's text, with every row checked against its document
    (`check_gold`). `document` is the text of a one-document set, or the directory of `<doc_id>.txt` files."""
    path, document = set_cfg.source.path, Path(set_cfg.document)
    one_document = not document.is_dir()
    summary = check_gold(path, document if one_document else None, None if one_document else document)
    problems = list(summary.problems)
    rows_by_doc: dict[str, list[dict]] = {}
    for _, row in summary.valid_rows:
        rows_by_doc.setdefault(str(row["doc_id"]), []).append(row)
    if one_document:
        texts = {doc_id: summary.document for doc_id in rows_by_doc}
        if len(rows_by_doc) > 1:
            problems.append(f"{path}: {len(rows_by_doc)} documents; `document` must then be their directory")
    else:
        texts = summary.documents
        problems += [f"{document / f'{doc_id}.txt'}: document {doc_id} of set {set_cfg.name} not found"
                     for doc_id in summary.unchecked_documents]
    if problems:
        raise DataError(problems)
    return rows_by_doc, texts


def document_pairs(set_cfg: DictConfig, examples: list[PairExample],
                   analyse: Callable[[str], list[ClaimActors]]) -> DocumentPairs:
    """Analyse the set's documents and match the pipeline's (claim, actor) pairs to the gold pairs (`examples`,
    the set as `load_source` read it), document by document. A gold pair is found by its pair_id
    (doc:claim:actor), a predicted pair is the scoring record."""
    by_id = {e.pair_id: e for e in examples if e.label is not None}
    rows_by_doc, texts = gold_documents(set_cfg)
    gold, predicted = [], []
    same_actor, lenient = PairMatching([], [], []), PairMatching([], [], [])
    claims, touch = {"gold": set(), "predicted": set()}, Counter()
    for doc_id, rows in rows_by_doc.items():
        claim_actors = analyse(texts[doc_id])
        pairs = [p for p in pipeline_pairs(doc_id, claim_actors) if p.actor is not None]
        gold_rows_with_actor = [row for row in rows if row["actor"] is not None]
        gold_spans = gold_pair_spans(gold_rows_with_actor)
        predicted_spans = [PairSpans((p.claim.claim.start, p.claim.claim.end), p.actor,
                                     tuple((m.start, m.end) for m in p.mentions)) for p in pairs]
        g0, p0 = len(gold), len(predicted)
        _extend(same_actor, match_pairs(gold_spans, predicted_spans, same_actor=True), g0, p0)
        _extend(lenient, match_pairs(gold_spans, predicted_spans), g0, p0)
        gold += [by_id[f"{row['doc_id']}:{row['claim_id']}:{row['actor']}"] for row in gold_rows_with_actor]
        predicted += [p.example for p in pairs]
        claims["gold"] |= {(doc_id, int(r["start"]), int(r["end"])) for r in rows}
        claims["predicted"] |= {(doc_id, item.claim.start, item.claim.end) for item in claim_actors}
        touch.update(detect_pairs(gold_spans, predicted_spans).counts())
    touch_detection = dict(touch)
    touch_detection.update(detection_scores(touch["correct"], touch["predicted"] - touch["correct"],
                                            touch["gold"] - touch["found"]))
    return DocumentPairs(set_cfg.name, list(rows_by_doc), gold, predicted, same_actor, lenient,
                         claim_split_agreement(claims["gold"], claims["predicted"]), touch_detection)
