"""The one way a (text, target) pair becomes model input, shared by training, scoring and evaluation.

The target's mentions are wrapped in marker characters inside the text ("... [ Putin ] wants ..."), one
segment. A text longer than the model's window is cut to a window around the first mention (`windowed`). A
text without spans (a claim read for its sentiment only) is encoded unmarked, the head reading [CLS] in the
marker's place. The caller is told what was cut, so it can count and report it.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from stance.types import Span


@dataclass
class EncodedPair:
    input_ids: list[int]
    token_type_ids: list[int]
    marker_index: int  # position of the first opening marker in input_ids (0, [CLS], without spans)
    windowed: bool  # the text did not fit and was cut to a window around the target


def merge_spans(spans: list[Span], text_length: int) -> list[Span]:
    """Sorted, non-overlapping spans; raises ValueError for a span outside the text."""
    for span in spans:
        if not 0 <= span.start < span.end <= text_length:
            raise ValueError(f"span [{span.start}, {span.end}) is outside a text of length {text_length}")
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if merged and span.start < merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


def mark_text(text: str, spans: list[Span], open_marker: str = "[", close_marker: str = "]") -> tuple[str, int]:
    """Wrap every span in markers; returns the marked text and the char offset of the first open marker."""
    pieces, cursor, first_marker = [], 0, -1
    for span in merge_spans(spans, len(text)):
        pieces.append(text[cursor : span.start])
        if first_marker < 0:
            first_marker = sum(len(p) for p in pieces)
        pieces.append(f"{open_marker} {text[span.start:span.end]} {close_marker}")
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces), first_marker


def encode_pair(
    tokenizer,
    text: str,
    spans: list[Span],
    max_length: int,
    open_marker: str = "[",
    close_marker: str = "]",
) -> EncodedPair:
    """Encode one (text, target spans) pair. Never truncates silently: see `windowed`."""
    marked, marker_char = mark_text(text, spans, open_marker, close_marker) if spans else (text, -1)
    encoded = _tokenize(tokenizer, marked)
    windowed = False
    while len(encoded["input_ids"]) > max_length:
        windowed = True
        marked, marker_char = _window(encoded, marked, marker_char, len(encoded["input_ids"]) - max_length)
        encoded = _tokenize(tokenizer, marked)
    return EncodedPair(
        input_ids=encoded["input_ids"],
        token_type_ids=encoded.get("token_type_ids") or [0] * len(encoded["input_ids"]),
        marker_index=_token_at(encoded, marker_char) if marker_char >= 0 else 0,
        windowed=windowed,
    )


def _tokenize(tokenizer, marked: str):
    # verbose=False: no "sequence length is longer than the specified maximum" notice; nothing here goes to
    # the model longer than max_length (encode_pair windows it and says so).
    return tokenizer(marked, truncation=False, return_offsets_mapping=True, return_token_type_ids=True,
                     verbose=False)


def _first_segment(encoded) -> list[tuple[int, tuple[int, int]]]:
    return [(i, off) for i, (seq, off) in enumerate(zip(encoded.sequence_ids(), encoded["offset_mapping"])) if seq == 0]


def _token_at(encoded, char: int) -> int:
    for index, (start, end) in _first_segment(encoded):
        if start <= char < max(end, start + 1):
            return index
    raise ValueError("the target marker was lost while encoding")


def _window(encoded, marked: str, marker_char: int, excess: int) -> tuple[str, int]:
    """Cut `excess` tokens from the text, keeping the first marker about a third of the way in; a text
    without a marker (read for its sentiment only, `marker_char` -1) keeps its beginning."""
    segment = _first_segment(encoded)
    keep = len(segment) - excess
    if keep < 8:
        raise ValueError("max_length leaves no room for the text next to the target")
    first = 0
    if marker_char >= 0:
        marker_pos = next(k for k, (_, (s, e)) in enumerate(segment) if s <= marker_char < max(e, s + 1))
        first = max(0, min(marker_pos - keep // 3, len(segment) - keep))
    char_start = segment[first][1][0]
    char_end = segment[first + keep - 1][1][1]
    return marked[char_start:char_end], marker_char - char_start if marker_char >= 0 else -1


def collate(batch: list[dict], pad_token_id: int) -> dict[str, torch.Tensor]:
    """Pad a list of encoded features to the longest in the batch (dynamic padding)."""
    width = max(len(item["input_ids"]) for item in batch)

    def padded(key: str, value: int) -> torch.Tensor:
        return torch.tensor([item[key] + [value] * (width - len(item[key])) for item in batch])

    out = {
        "input_ids": padded("input_ids", pad_token_id),
        "token_type_ids": padded("token_type_ids", 0),
        "attention_mask": torch.tensor([[1] * len(i["input_ids"]) + [0] * (width - len(i["input_ids"])) for i in batch]),
        "marker_index": torch.tensor([item["marker_index"] for item in batch]),
    }
    for key in ("labels", "sentiment_labels", "label_mask", "teacher_probs"):
        if key in batch[0]:
            out[key] = torch.tensor([item[key] for item in batch])
    return out
