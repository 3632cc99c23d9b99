"""The dev rule: the mean over sources, a source's sets averaged first; macro-F1 over the labels present."""
import numpy as np
import pytest

from stance.config import compose
from stance.train.dev_rule import dev_rule, dev_rule_of_predictions, set_score
from stance.train.run import dev_groups


def test_newsmtscs_two_dev_sets_count_as_one_source():
    scores = {"dev_rw": 0.8, "dev_mt": 0.6, "commentary_dev": 0.5}
    groups = {"dev_rw": "newsmtsc", "dev_mt": "newsmtsc"}
    assert dev_rule(scores, groups) == pytest.approx((0.7 + 0.5) / 2)
    assert dev_rule(scores, {}) == pytest.approx((0.8 + 0.6 + 0.5) / 3)  # without groups every set counts


def test_the_default_mix_groups_newsmtsc_and_nothing_else():
    groups = dev_groups(compose("train", []))
    assert groups["dev_rw"] == groups["dev_mt"] == "newsmtsc"
    assert len(set(groups.values())) == 7  # P-Stance, SemEval, RUW, NewsMTSC, commentary, PerSenT, passing


def test_a_set_without_neutral_is_scored_on_favor_and_against_and_a_neutral_prediction_is_an_error():
    gold = np.array(["favor", "against", "favor", "against"])
    assert set_score(gold, gold) == 1.0
    predicted = np.array(["favor", "against", "neutral", "against"])
    f1_favor, f1_against = 2 / 3, 1.0  # favor: one of two found; against: both
    assert set_score(gold, predicted) == pytest.approx((f1_favor + f1_against) / 2)


def test_the_rule_over_predictions_equals_the_rule_over_set_scores():
    gold = np.array([0, 1, 2, 0, 2, 2])
    predicted = np.array([0, 1, 1, 0, 2, 0])
    names = np.array(["a", "a", "a", "b", "b", "c"])
    scores = {n: set_score(gold[names == n], predicted[names == n]) for n in "abc"}
    assert dev_rule_of_predictions(gold, predicted, names, {"b": "a"}) == pytest.approx(
        dev_rule(scores, {"b": "a"}))
