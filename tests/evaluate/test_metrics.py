"""Metrics against small hand-computed cases."""
import numpy as np
import pytest
from sklearn.metrics import f1_score

from stance.evaluate.metrics import (
    bootstrap_ci,
    claim_split_agreement,
    classification_metrics,
    cohens_kappa,
    confusion_matrix,
    detection_scores,
    evaluation_metrics,
    expected_calibration_error,
    jaccard,
    macro_f1,
    per_actor,
    present_labels,
    vocabulary,
)

LABELS = ["against", "neutral", "favor"]
GOLD = ["against", "against", "neutral", "favor", "favor", "favor"]
PRED = ["against", "neutral", "neutral", "favor", "against", "favor"]


def test_accuracy_and_macro_f1_by_hand():
    m = classification_metrics(GOLD, PRED, LABELS)
    assert m["accuracy"] == pytest.approx(4 / 6)
    # against: P 1/2 R 1/2 F 1/2; neutral: P 1/2 R 1 F 2/3; favor: P 1 R 2/3 F 4/5
    assert m["f1_macro"] == pytest.approx((1 / 2 + 2 / 3 + 4 / 5) / 3)
    assert macro_f1(GOLD, PRED, LABELS) == pytest.approx(m["f1_macro"])
    assert m["f1_polar"] == pytest.approx((1 / 2 + 4 / 5) / 2)
    assert m["per_class"]["neutral"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3), "support": 1}


def test_macro_f1_with_a_label_absent_from_gold():
    gold, pred = ["against", "favor", "favor"], ["against", "favor", "neutral"]
    # neutral: never gold, predicted once -> F1 0; against 1; favor P 1 R 1/2 F 2/3
    assert macro_f1(gold, pred, LABELS) == pytest.approx((1 + 0 + 2 / 3) / 3)
    assert present_labels(gold, LABELS) == ["against", "favor"]
    assert macro_f1(gold, pred, present_labels(gold, LABELS)) == pytest.approx((1 + 2 / 3) / 2)
    m = evaluation_metrics(gold, pred, LABELS, resamples=10)
    assert m["labels_present"] == ["against", "favor"]
    assert m["f1_macro_present"] == pytest.approx(5 / 6)


def test_missed_and_spurious_rows():
    gold = ["against", "favor", "spurious"]
    pred = ["against", "missed", "favor"]
    m = evaluation_metrics(gold, pred, LABELS, confidence=[0.9, None, 0.8], resamples=10)
    assert m["accuracy"] == pytest.approx(1 / 3)
    assert m["per_class"]["favor"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert m["per_class"]["against"]["f1"] == 1.0
    assert m["f1_macro"] == pytest.approx(f1_score(gold, pred, labels=LABELS, average="macro", zero_division=0))
    assert m["confusion"] == {"gold": LABELS + ["spurious"], "predicted": LABELS + ["missed"],
                              "matrix": [[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]]}
    assert m["calibration"]["ece"] == pytest.approx((0.1 + 0.8) / 2)  # the missed row has no confidence


def test_confusion_matrix_rows_gold_columns_predicted():
    matrix = confusion_matrix(GOLD, PRED, LABELS)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert vocabulary(LABELS, ["x"], ["a"]) == LABELS + ["a", "x"]


def test_ece_four_examples():
    result = expected_calibration_error(np.array([0.95, 0.91, 0.62, 0.55]), np.array([1, 0, 1, 0]), bins=10)
    # bin (0.9,1]: conf 0.93 acc 0.5 -> 2/4*0.43; (0.6,0.7]: 1/4*0.38; (0.5,0.6]: 1/4*0.55
    assert result["ece"] == pytest.approx(0.215 + 0.095 + 0.1375)
    assert [b["count"] for b in result["bins"]] == [0, 0, 0, 0, 0, 1, 1, 0, 0, 2]
    perfect = expected_calibration_error(np.array([1.0, 1.0]), np.array([1, 1]))
    assert perfect["ece"] == 0.0 and perfect["bins"][-1]["count"] == 2


def test_bootstrap_ci_contains_point_and_is_seeded():
    rng = np.random.default_rng(3)
    gold = list(rng.choice(LABELS, 60))
    pred = [g if rng.random() < 0.7 else rng.choice(LABELS) for g in gold]
    first = bootstrap_ci(gold, pred, LABELS, resamples=500, seed=1)
    again = bootstrap_ci(gold, pred, LABELS, resamples=500, seed=1)
    other = bootstrap_ci(gold, pred, LABELS, resamples=500, seed=2)
    assert first == again and first != other
    point = classification_metrics(gold, pred, LABELS)
    for key in ("accuracy", "f1_macro"):
        low, high = first[key]
        assert low < point[key] < high
        assert high - low < 0.5


def test_bootstrap_macro_f1_matches_sklearn_per_resample():
    gold, pred = ["against", "neutral", "favor", "favor"], ["against", "favor", "favor", "neutral"]
    one = bootstrap_ci(gold, pred, LABELS, resamples=1, seed=5)
    picks = np.random.default_rng(5).integers(0, 4, size=(1, 4))[0]
    g, p = [gold[i] for i in picks], [pred[i] for i in picks]
    expected = f1_score(g, p, labels=LABELS, average="macro", zero_division=0)
    assert one["f1_macro"][0] == pytest.approx(expected)
    polar = bootstrap_ci(gold, pred, LABELS, resamples=1, seed=5, f1_sets={"f1_polar": ["against", "favor"]})
    assert polar["f1_polar"][0] == pytest.approx(f1_score(g, p, labels=["against", "favor"], average="macro", zero_division=0))
    assert polar["f1_macro"] == one["f1_macro"]  # the same resamples for every interval


def test_cohens_kappa_by_hand():
    a = ["favor", "favor", "against", "against", "neutral", "neutral"]
    b = ["favor", "against", "against", "against", "neutral", "favor"]
    # p_o = 4/6, p_e = (2*2 + 2*3 + 2*1) / 36 = 1/3 -> kappa = (2/3 - 1/3) / (2/3) = 0.5
    assert cohens_kappa(a, b) == pytest.approx(0.5)
    assert cohens_kappa(a, a) == 1.0
    assert cohens_kappa([], []) is None


def test_claim_split_agreement_by_hand():
    gold = {(0, 10), (11, 20), (21, 30), (31, 40)}
    predicted = {(0, 10), (11, 30), (31, 40)}  # two gold claims merged into one
    result = claim_split_agreement(gold, predicted)
    assert result["exact"] == 2 and result["agreement"] == 0.5
    assert result["precision"] == pytest.approx(2 / 3) and result["recall"] == 0.5
    assert result["f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def test_detection_jaccard_per_actor():
    assert detection_scores(3, 1, 2) == {"tp": 3, "fp": 1, "fn": 2, "precision": 0.75, "recall": 0.6,
                                         "f1": pytest.approx(2 * 0.75 * 0.6 / 1.35)}
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3) and jaccard(set(), set()) == 1.0
    table = per_actor(["favor", "against", "favor"], ["favor", "favor", "favor"], ["Putin", "Putin", None])
    assert list(table) == ["Putin", "(none)"]
    assert table["Putin"] == {"n": 2, "accuracy": 0.5, "gold": {"favor": 1, "against": 1}, "predicted": {"favor": 2}}
