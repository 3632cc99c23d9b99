"""The (document, actor) label of actors.csv, the view and actors_over_time.csv: the balance of favor and
against pairs (chosen on dev: docs/evaluation.md)."""
from stance.score.aggregate import actor_label, aggregate_actors


def test_the_label_is_the_balance_of_favor_and_against_pairs():
    assert actor_label(["neutral", "neutral", "neutral", "against"]) == "against"  # neutral pairs do not count
    assert actor_label(["favor", "against", "neutral"]) == "neutral"  # balanced
    assert actor_label(["favor", "favor", "against"]) == "favor"
    assert actor_label(["neutral"]) == actor_label([]) == "neutral"


def test_actors_csv_rows_carry_the_label_beside_its_counts():
    pair = {"doc_id": "d", "actor": "Russia", "kind": "state", "mentions": [{"text": "Russia"}]}
    pairs = [dict(pair, claim_id=i, label=label, score=score)
             for i, (label, score) in enumerate([("neutral", 0.0), ("neutral", 0.1), ("against", -0.8)])]
    (row,) = aggregate_actors(pairs)
    assert (row["n_against"], row["n_neutral"], row["n_favor"], row["label"]) == (1, 2, 0, "against")
