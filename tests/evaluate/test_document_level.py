"""(document, actor) labels: the gold rule, PerSenT's own labels, the rows evaluated; the actor-prior baseline;
same-actor matching; F_avg."""
import csv

import numpy as np
import pytest
from sklearn.metrics import f1_score

from stance.evaluate.baselines import ActorPriorBaseline, Scored
from stance.evaluate.document_level import (
    document_gold,
    document_stance,
    gold_document_labels,
    persent_document_labels,
)
from stance.evaluate.end_to_end import DocumentPairs
from stance.evaluate.matching import PairMatching, PairSpans, match_pairs
from stance.evaluate.metrics import classification_metrics
from stance.evaluate.rows import document_rows, end_to_end_document_rows
from stance.types import PairExample, Span

LABELS = ["against", "neutral", "favor"]


def pair(pair_id: str, actor: str, label: str | None = "neutral") -> PairExample:
    return PairExample("Some claim.", [Span(0, 4)], label, actor=actor, pair_id=pair_id)


def test_document_stance_is_the_majority_of_claim_stances_ties_neutral():
    assert document_stance(["against", "against", "neutral"]) == "against"
    assert document_stance(["neutral", "neutral", "favor"]) == "neutral"
    assert document_stance(["favor"]) == "favor"
    assert document_stance(["against", "favor"]) == "neutral"  # a tie
    assert document_stance(["against", "neutral"]) == "neutral"
    assert document_stance(["against", "against", "favor", "favor", "neutral"]) == "neutral"
    assert document_stance([]) == "neutral"


def test_gold_document_labels_per_document_and_actor():
    examples = [pair("d1:0:Putin", "Putin", "against"), pair("d1:1:Putin", "Putin", "against"),
                pair("d1:2:Putin", "Putin", "favor"), pair("d1:2:Aliyev", "Aliyev", "favor"),
                pair("d2:0:Putin", "Putin", "neutral"), pair("d2:1:", None, None)]
    assert gold_document_labels(examples) == {("d1", "Putin"): "against", ("d1", "Aliyev"): "favor",
                                              ("d2", "Putin"): "neutral"}
    assert document_gold({"format": "gold"}, examples)[0] == gold_document_labels(examples)
    assert document_gold({"format": "newsmtsc"}, examples) is None


def test_persent_document_labels_by_split(tmp_path):
    path = tmp_path / "persent.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["DOCUMENT_INDEX", "TARGET_ENTITY", "TRUE_SENTIMENT"])
        writer.writeheader()
        for index, (entity, label) in enumerate([("Nadal", "Positive"), ("Lugo", "Negative"), ("Morris", "Neutral")]):
            writer.writerow({"DOCUMENT_INDEX": str(index), "TARGET_ENTITY": entity, "TRUE_SENTIMENT": label})
    every = persent_document_labels(path)
    assert every == {("persent:0", "Nadal"): "favor", ("persent:1", "Lugo"): "against",
                     ("persent:2", "Morris"): "neutral"}
    parts = [persent_document_labels(path, split) for split in ("train", "dev", "test")]
    assert sum(len(part) for part in parts) == 3 and {k for part in parts for k in part} == set(every)


def test_document_rows_label_each_gold_document_actor_by_the_rule_of_actors_csv():
    examples = [pair("persent:7:0", "Nadal"), pair("persent:7:1", "Nadal"), pair("persent:7:2", "Nadal"),
                pair("persent:8:0", "Lugo")]
    gold = {("persent:7", "Nadal"): "favor", ("persent:8", "Lugo"): "against", ("persent:9", "Morris"): "neutral"}
    scored = Scored(["favor", "favor", "against", "neutral"], None)
    rows = document_rows(examples, scored, LABELS, gold)
    assert rows.gold == ["favor", "against"] and rows.predicted == ["favor", "neutral"]  # Morris: no pairs
    assert rows.units.describe() == "documents (2)" and rows.actors == ["Nadal", "Lugo"]


def test_end_to_end_document_rows_match_by_document_and_actor_name():
    predicted = [pair("d1/0/Putin", "Putin"), pair("d1/1/Putin", "Putin"), pair("d1/1/NATO", "NATO"),
                 pair("d2/0/Putin", "Putin")]
    doc = DocumentPairs("set", ["d1", "d2"], [], predicted, PairMatching([], [], []), PairMatching([], [], []), {}, {})
    gold = {("d1", "Putin"): "against", ("d1", "Aliyev"): "favor", ("d2", "Putin"): "neutral",
            ("d3", "Putin"): "favor"}  # d3 not analysed: not counted
    scored = Scored(["against", "against", "favor", "neutral"], None)
    rows = end_to_end_document_rows(doc, scored, LABELS, gold)
    assert list(zip(rows.actors, rows.gold, rows.predicted)) == [
        ("Putin", "against", "against"), ("Aliyev", "favor", "missed"), ("Putin", "neutral", "neutral"),
        ("NATO", "spurious", "favor")]
    assert rows.units.describe() == "documents (2)"


def test_actor_prior_baseline():
    train = [pair("1", "Putin", "against"), pair("2", "Putin", "against"), pair("3", "Putin", "favor"),
             pair("4", "Zelensky", "favor"), pair("5", "Aliyev", "neutral"), pair("6", "Aliyev", "favor"),
             pair("7", "Erdogan", "neutral"), pair("8", None, "neutral")]
    prior = ActorPriorBaseline(train, LABELS)
    # overall: neutral 3, favor 3, against 2 -> neutral (first in label order among the tied); Aliyev's tie
    # between neutral and favor goes to the label more frequent overall, here neutral again
    assert prior.fallback == "neutral"
    test = [pair("a", "Putin"), pair("b", "Zelensky"), pair("c", "Aliyev"), pair("d", "Orban"), pair("e", None)]
    scored = prior.predict(test)
    assert scored.labels == ["against", "favor", "neutral", "neutral", "neutral"] and scored.probs is None
    assert prior.name == "actor_prior" and prior.kind == "baseline"


def test_actor_prior_tie_goes_to_the_label_more_frequent_overall():
    train = [pair("1", "X", "favor"), pair("2", "X", "against"), pair("3", "Y", "favor"), pair("4", "Y", "favor")]
    assert ActorPriorBaseline(train, LABELS).predict([pair("a", "X")]).labels == ["favor"]


def test_same_actor_matching_gives_no_credit_to_another_actors_pair():
    gold = [PairSpans((0, 40), "Russia", ((4, 11),))]
    other_actor = [PairSpans((0, 40), "Putin", ((4, 11),))]
    lenient = match_pairs(gold, other_actor)
    strict = match_pairs(gold, other_actor, same_actor=True)
    assert lenient.matched == [(0, 0)]
    assert strict.matched == [] and strict.missed == [0] and strict.spurious == [0]
    both = [PairSpans((0, 40), "Putin", ((4, 11),)), PairSpans((0, 40), "Russia", ((4, 8),))]
    assert match_pairs(gold, both, same_actor=True).matched == [(0, 1)]


def test_f_avg_is_the_mean_of_favor_and_against_f1():
    rng = np.random.default_rng(2)
    gold, predicted = list(rng.choice(LABELS, 80)), list(rng.choice(LABELS, 80))
    m = classification_metrics(gold, predicted, LABELS)
    favor, against = (f1_score(gold, predicted, labels=[x], average="macro") for x in ("favor", "against"))
    assert m["f1_polar"] == pytest.approx((favor + against) / 2)
    assert m["f1_polar"] == pytest.approx((m["per_class"]["favor"]["f1"] + m["per_class"]["against"]["f1"]) / 2)
