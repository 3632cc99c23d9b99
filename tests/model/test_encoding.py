"""encode_pair: the claim with the target's mentions marked, one segment; a claim longer than the model reads is cut
to a window around the first mention (and says so); a claim without spans is encoded unmarked."""
import pytest
from transformers import AutoTokenizer

from stance.model.encoding import encode_pair
from stance.types import Span

CLAIM = "Meanwhile Putin failed badly in Ukraine, and Russia lost."


@pytest.fixture(scope="module")
def tokenizer(tiny_backbone_dir):
    return AutoTokenizer.from_pretrained(tiny_backbone_dir)


def decoded(tokenizer, encoded):
    return tokenizer.decode(encoded.input_ids)


def test_the_claim_is_one_segment_with_the_target_marked(tokenizer):
    encoded = encode_pair(tokenizer, CLAIM, [Span(10, 15)], 128)
    assert not encoded.windowed and set(encoded.token_type_ids) == {0}
    assert decoded(tokenizer, encoded) == "[CLS] meanwhile [ putin ] failed badly in ukraine, and russia lost. [SEP]"
    assert tokenizer.convert_ids_to_tokens(encoded.input_ids[encoded.marker_index]) == "["


def test_a_claim_longer_than_the_model_reads_is_windowed_around_the_target(tokenizer):
    long_claim = "Putin " + "failed again and again, " * 20 + "in Ukraine."
    encoded = encode_pair(tokenizer, long_claim, [Span(0, 5)], 24)
    assert encoded.windowed and len(encoded.input_ids) <= 24
    assert tokenizer.convert_ids_to_tokens(encoded.input_ids[encoded.marker_index]) == "["


def test_claim_without_spans_is_unmarked_and_read_at_cls(tokenizer):
    encoded = encode_pair(tokenizer, CLAIM, [], 128)
    assert encoded.marker_index == 0 and "[ " not in decoded(tokenizer, encoded)


def test_a_long_claim_without_spans_is_windowed_from_its_start(tokenizer):
    long_claim = "The weather " + "kept changing all week long, " * 30 + "and then it rained."
    encoded = encode_pair(tokenizer, long_claim, [], 24)
    assert encoded.windowed and len(encoded.input_ids) <= 24 and encoded.marker_index == 0
    assert decoded(tokenizer, encoded).startswith("[CLS] the weather kept changing")
