"""document_pairs builds each (claim, actor) once, and the claims without actors when the model predicts sentiment;
the pipeline writes claim sentiment."""
import json

import torch

from stance.model.classifier import load_classifier
from stance.score.pipeline import StancePipeline, document_pairs
from stance.types import Claim, ClaimActors, Mention

TEXT = "Putin lied. Nobody believed him. Baku and Ankara met."


def claims():
    """The claims of TEXT with their actors, as analysis returns them."""
    first, second, third = Claim(0, 0, 11, TEXT[0:11]), Claim(1, 12, 32, TEXT[12:32]), Claim(2, 33, 53, TEXT[33:53])
    return [
        ClaimActors(first, [Mention("Putin", "person", "Putin", 0, 5, "registry")]),
        ClaimActors(second, []),
        ClaimActors(third, [Mention("Azerbaijan", "state", "Baku", 33, 37, "registry"),
                            Mention("Turkey", "state", "Ankara", 42, 48, "registry")]),
    ]


def test_pairs_and_sentiment_only_claims():
    pairs = document_pairs("d", claims(), sentiment_only_claims=True)
    assert [(p.actor, p.example.text) for p in pairs] == [
        ("Putin", "Putin lied."), (None, "Nobody believed him."), ("Azerbaijan", "Baku and Ankara met."),
        ("Turkey", "Baku and Ankara met.")]
    assert pairs[1].example.spans == [] and pairs[2].example.spans[0].start == 0  # claim-relative
    plain = document_pairs("d", claims())
    assert [p.actor for p in plain] == ["Putin", "Azerbaijan", "Turkey"]


def test_pipeline_writes_claim_sentiment(tiny_model_dir):
    torch.manual_seed(0)
    pipe = StancePipeline(load_classifier(tiny_model_dir), None, batch_size=4)
    pipe.analyse_batch = lambda docs: [(doc_id, claims()) for doc_id, _, _ in docs]
    (result,) = pipe.score_batch([("d", TEXT, None)])
    assert [c.get("sentiment") for c in result["claims"]] != [None] * 3
    for claim in result["claims"]:
        assert claim["sentiment"] in ("negative", "neutral", "positive")
        assert abs(sum(claim["sentiment_probs"].values()) - 1) < 1e-3
    # the column of the removed context option stays in the rows, always false
    assert all(a["context_cut"] is False for c in result["claims"] for a in c["actors"])
    assert json.loads(json.dumps(result))  # plain data all the way
