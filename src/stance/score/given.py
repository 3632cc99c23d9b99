"""Stances toward given targets (`StancePipeline.score_pairs`): no claim splitting, no actor detection.

A target is a string located in the text as `format: simple` locates it (every whole-word occurrence, any
case, "'s" tolerated, alternatives after "|"), or a list of (start, end) offsets into the text. Each item is
read as the model reads a claim, so a long text is scored on a window around the target (`windowed`).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stance.data.simple import locate_target, target_names
from stance.model.classifier import LoadedModel
from stance.model.predict import predict_proba
from stance.score.aggregate import pair_score
from stance.score.results import MentionSpan, PairStance, StanceError
from stance.types import PairExample, Span


def given_example(index: int, item: Any) -> PairExample:
    """(text, target) or (text, target, actor) as a PairExample; StanceError naming the item otherwise."""
    if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
        raise StanceError(f"pair {index}: expected (text, target) or (text, target, actor), got {item!r}")
    text, target, actor = (*item, None)[:3]
    if not isinstance(text, str) or not text.strip():
        raise StanceError(f"pair {index}: empty or missing text")
    if isinstance(target, str):
        names = target_names(target)
        spans = locate_target(text, names)
        if not spans:
            raise StanceError(f"pair {index}: target {target!r} not found in the text {text[:60]!r}")
        actor = actor or names[0]
    else:
        try:
            spans = [Span(int(start), int(end)) for start, end in target]
        except (TypeError, ValueError):
            raise StanceError(f"pair {index}: target must be a string or a list of (start, end), got {target!r}") \
                from None
        bad = [(s.start, s.end) for s in spans if not 0 <= s.start < s.end <= len(text)]
        if bad or not spans:
            raise StanceError(f"pair {index}: span(s) {bad or '[]'} outside the text (length {len(text)})")
        actor = actor or text[spans[0].start:spans[0].end]
    return PairExample(text, sorted(spans, key=lambda s: s.start), actor=actor, pair_id=str(index))


def score_given_pairs(loaded: LoadedModel, items: Iterable[Any], batch_size: int = 64) -> list[PairStance]:
    """Every item checked first (a StanceError names the first bad one), then all scored in batches."""
    examples = [given_example(i, item) for i, item in enumerate(items)]
    if not examples:
        return []
    try:
        prediction = predict_proba(loaded, examples, batch_size)
    except ValueError as error:
        raise StanceError(f"cannot encode the pairs: {error}") from None
    results = []
    for row, example in enumerate(examples):
        probs = {label: float(p) for label, p in zip(loaded.labels, prediction.probs[row])}
        results.append(PairStance(
            text=example.text, actor=example.actor,
            mentions=[MentionSpan(example.text[s.start:s.end], s.start, s.end, "given") for s in example.spans],
            label=loaded.labels[int(prediction.probs[row].argmax())],
            probs={label: round(p, 4) for label, p in probs.items()}, score=round(pair_score(probs), 4),
            windowed=bool(prediction.windowed[row])))
    return results
