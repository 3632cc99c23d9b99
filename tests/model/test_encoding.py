"""encode_pair with a context: the claim and its target marker always kept, the context cut from its start to
fit (and said so), dropped when the claim itself needs a window; a claim without spans is encoded unmarked."""
import pytest
from transformers import AutoTokenizer

from stance.model.encoding import encode_pair
from stance.types import Span

CLAIM = "Meanwhile Putin failed badly in Ukraine, and Russia lost."
CONTEXT = "Before the war the Kremlin promised a victory within three days, and its generals agreed loudly."


@pytest.fixture(scope="module")
def tokenizer(tiny_backbone_dir):
    return AutoTokenizer.from_pretrained(tiny_backbone_dir)


def decoded(tokenizer, encoded):
    return tokenizer.decode(encoded.input_ids)


def test_context_fits_whole_as_second_segment(tokenizer):
    encoded = encode_pair(tokenizer, CLAIM, [Span(10, 15)], 128, context=CONTEXT)
    text = decoded(tokenizer, encoded)
    assert not encoded.context_cut and not encoded.windowed
    assert text.index("[ putin ]") < text.index("[SEP] before the war")
    assert tokenizer.convert_ids_to_tokens(encoded.input_ids[encoded.marker_index]) == "["
    assert 1 in encoded.token_type_ids  # the context is segment B


@pytest.mark.parametrize("max_length", [20, 24, 30, 35])
def test_context_is_cut_from_its_start_never_the_claim(tokenizer, max_length):
    encoded = encode_pair(tokenizer, CLAIM, [Span(10, 15)], max_length, context=CONTEXT)
    assert len(encoded.input_ids) <= max_length and encoded.context_cut and not encoded.windowed
    text = decoded(tokenizer, encoded)
    assert "[ putin ] failed badly in ukraine, and russia lost." in text
    if "[SEP]" in text[:-6]:  # some context kept: its end, the words nearest the claim
        assert text.endswith("loudly. [SEP]")


def test_a_claim_that_needs_a_window_drops_the_context_and_says_both(tokenizer):
    long_claim = "Putin " + "failed again and again, " * 20 + "in Ukraine."
    encoded = encode_pair(tokenizer, long_claim, [Span(0, 5)], 24, context=CONTEXT)
    assert encoded.windowed and encoded.context_cut and len(encoded.input_ids) <= 24
    assert tokenizer.convert_ids_to_tokens(encoded.input_ids[encoded.marker_index]) == "["


def test_claim_without_spans_is_unmarked_and_read_at_cls(tokenizer):
    encoded = encode_pair(tokenizer, CLAIM, [], 128)
    assert encoded.marker_index == 0 and "[ " not in decoded(tokenizer, encoded)


def test_context_needs_the_marked_encoding(tokenizer):
    with pytest.raises(ValueError, match="context needs encoding=marked"):
        encode_pair(tokenizer, CLAIM, [Span(10, 15)], 128, encoding="marked_pair", context=CONTEXT)
