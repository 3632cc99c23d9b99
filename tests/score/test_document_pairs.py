"""document_pairs builds each (claim, actor) once, with the claim before it as context for models that read it,
and the claims without actors when the model predicts sentiment; the pipeline writes claim sentiment."""
import json
from dataclasses import asdict

import torch

from stance.config import ModelConfig
from stance.model.classifier import build_classifier, load_classifier, save_classifier
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


def test_pairs_carry_the_previous_claim_and_sentiment_only_claims():
    pairs = document_pairs("d", claims(), with_context=True, sentiment_only_claims=True)
    assert [(p.actor, p.example.context) for p in pairs] == [
        ("Putin", None), (None, "Putin lied."), ("Azerbaijan", "Nobody believed him."),
        ("Turkey", "Nobody believed him.")]
    assert pairs[1].example.spans == [] and pairs[2].example.spans[0].start == 0  # claim-relative
    plain = document_pairs("d", claims())
    assert [p.actor for p in plain] == ["Putin", "Azerbaijan", "Turkey"] and all(p.example.context is None for p in plain)


def test_given_context_replaces_the_previous_claim():
    item = ClaimActors(Claim(0, 0, 11, "Putin lied."), [Mention("Putin", "person", "Putin", 0, 5, "given")],
                       context="He promised peace.")
    (pair,) = document_pairs("d", [item], with_context=True)
    assert pair.example.context == "He promised peace."


def test_pipeline_writes_claim_sentiment_and_reads_context(tmp_path, tiny_backbone_dir):
    torch.manual_seed(0)
    cfg = asdict(ModelConfig(backbone=tiny_backbone_dir, lora_r=4, lora_alpha=8, context="previous"))
    model_dir = save_classifier(build_classifier(cfg), tmp_path / "model")
    pipe = StancePipeline(load_classifier(model_dir), None, batch_size=4)
    pipe.analyser = lambda texts: [claims() for _ in texts]
    pipe.analyse_batch = lambda docs: [(doc_id, claims()) for doc_id, _, _ in docs]
    (result,) = pipe.score_batch([("d", TEXT, None)])
    assert [c.get("sentiment") for c in result["claims"]] != [None] * 3
    for claim in result["claims"]:
        assert claim["sentiment"] in ("negative", "neutral", "positive")
        assert abs(sum(claim["sentiment_probs"].values()) - 1) < 1e-3
    assert all("context_cut" in a for c in result["claims"] for a in c["actors"])
    assert json.loads(json.dumps(result))  # plain data all the way
    with_context = pipe.loaded.model_cfg["context"] == "previous"
    pipe.loaded.model_cfg["context"] = "none"
    (alone,) = pipe.score_batch([("d", TEXT, None)])
    assert with_context and alone["claims"][2]["actors"][0]["probs"] != result["claims"][2]["actors"][0]["probs"]
