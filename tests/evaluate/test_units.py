"""The clustered bootstrap: the unit of a pair, and resamples that never split a document."""
import numpy as np
import pytest

from stance.evaluate.metrics import (
    bootstrap_ci,
    label_ids,
    paired_bootstrap_difference,
    resampled_confusions,
    unit_draws,
    vocabulary,
)
from stance.evaluate.units import claim_of, document_of, resampling_units
from stance.types import PairExample

LABELS = ["against", "neutral", "favor"]


def pair(pair_id: str) -> PairExample:
    return PairExample("text", [], "neutral", pair_id=pair_id)


def test_document_of_each_kind_of_pair():
    assert document_of(pair("ame-007:3:Maduro")) == "ame-007"  # gold: doc:claim:actor
    assert document_of(pair("ame-007:3:Hamas: the armed wing")) == "ame-007"
    assert document_of(pair("persent:3360:4")) == "persent:3360"  # PerSenT: the article
    assert document_of(pair("texts/a.txt/12/Russia")) == "texts/a.txt"  # a scored pair: doc/claim/actor
    assert document_of(pair("polusa_v1_4307505_-1_11_Seth_39_43")) is None  # NewsMTSC: no document
    assert document_of(pair("17")) is None
    assert document_of(pair("ruw:test:5:1")) is None and document_of(pair("pstance:test_bernie:5")) is None
    assert claim_of(pair("ame-007:3:Maduro")) == claim_of(pair("ame-007/3/Maduro")) == "ame-007#3"


def test_resampling_units_documents_claims_or_pairs():
    several = resampling_units([pair("a:0:X"), pair("a:1:Y"), pair("b:0:X"), pair("a:1:Z")])
    assert several.describe() == "documents (2)" and several.ids.tolist() == [0, 0, 1, 0]
    one = resampling_units([pair("a:0:X"), pair("a:1:Y"), pair("a:1:Z")])
    assert one.describe() == "claims (2)" and one.ids.tolist() == [0, 1, 1]
    assert resampling_units([pair("1"), pair("2")]).describe() == "pairs (2)"
    tweets = resampling_units([pair("ruw:test:5:1"), pair("ruw:test:5:2"), pair("ruw:test:6:1")])
    assert tweets.describe() == "tweets (2)" and tweets.ids.tolist() == [0, 0, 1]  # a tweet's targets together
    assert resampling_units([pair("semeval:10001"), pair("semeval:10002")]).describe() == "tweets (2)"


def test_a_resample_holds_each_document_whole_or_not_at_all():
    # document a: 3 pairs against->against; b: 2 pairs favor->neutral; c: 1 pair neutral->neutral
    ids = ["a:0:X", "a:1:X", "a:2:Y", "b:0:X", "b:1:Y", "c:0:Z"]
    gold = ["against"] * 3 + ["favor"] * 2 + ["neutral"]
    predicted = ["against"] * 3 + ["neutral"] * 2 + ["neutral"]
    units = resampling_units([pair(i) for i in ids])
    vocab = vocabulary(LABELS, gold, predicted)
    g, p = label_ids(gold, predicted, vocab)
    draws = unit_draws(units, 500, seed=0)
    matrices = resampled_confusions(g, p, len(vocab), units, draws)
    against, neutral, favor = (vocab.index(x) for x in LABELS)
    np.testing.assert_array_equal(matrices[:, against, against], 3 * draws[:, 0])
    np.testing.assert_array_equal(matrices[:, favor, neutral], 2 * draws[:, 1])
    np.testing.assert_array_equal(matrices[:, neutral, neutral], draws[:, 2])
    assert (draws.sum(axis=1) == 3).all() and matrices.sum() == (draws * [3, 2, 1]).sum()


def test_clustered_interval_is_wider_than_the_pair_interval():
    # 20 documents of 10 pairs, each document all right or all wrong: the pairs are not independent
    rng = np.random.default_rng(0)
    right = rng.random(20) < 0.6
    ids = [f"d{d}:{c}:X" for d in range(20) for c in range(10)]
    gold = ["favor"] * 200
    predicted = [("favor" if right[d] else "against") for d in range(20) for _ in range(10)]
    units = resampling_units([pair(i) for i in ids])
    by_document = bootstrap_ci(gold, predicted, LABELS, 1000, 0, units=units)
    by_pair = bootstrap_ci(gold, predicted, LABELS, 1000, 0)
    assert by_document["resampled"] == "documents (20)" and by_pair["resampled"] == "pairs (200)"
    width = lambda ci: ci["accuracy"][1] - ci["accuracy"][0]
    assert width(by_document) > 2 * width(by_pair)


def test_two_documents_give_only_whole_document_accuracies():
    gold, predicted = ["favor"] * 4, ["favor", "favor", "against", "against"]
    units = resampling_units([pair(i) for i in ("a:0:X", "a:1:X", "b:0:X", "b:1:X")])
    assert bootstrap_ci(gold, predicted, LABELS, 400, 1, units=units)["accuracy"] == [0.0, 1.0]


def test_paired_difference_resamples_documents():
    gold = ["favor"] * 6
    a = ["against"] * 6
    b = ["favor", "favor", "favor", "against", "against", "against"]
    units = resampling_units([pair(f"{d}:{c}:X") for d in "abc" for c in range(2)])
    result = paired_bootstrap_difference(gold, a, b, LABELS, 300, 0, units=units)
    assert result["resampled"] == "documents (3)"
    assert result["accuracy"]["difference"] == pytest.approx(0.5)
    low, high = result["accuracy"]["ci"]
    assert low < 0.5 < high  # three documents: b is right on 0, 1 or 2 of those drawn (pairs: a far narrower CI)
