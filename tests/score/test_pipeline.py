"""The Python API on the tiny random model: `StancePipeline.load(dir)(text)` and `.score_many(...)` return
plain data whose spans point into the text, and agree with what the command writes."""
import json

import pytest
import torch

import stance.score.pipeline
from stance import StancePipeline
from stance.config import compose
from stance.score.pipeline import default_group
from stance.score.run import run_score

TEXTS = ["Putin failed badly in Ukraine. Aliyev met Erdogan in Ankara on Tuesday.",
         "The Kremlin lost the war. Russia and Azerbaijan are rivals now.",
         "Rain fell all day."]


@pytest.fixture(scope="module")
def pipe(tiny_model_dir):
    torch.set_num_threads(1)  # small forwards on a shared 2-core machine are faster on one thread
    return StancePipeline.load(tiny_model_dir, bf16=False)


def test_one_text_gives_claims_actors_and_stances_as_plain_data(pipe):
    result = pipe(TEXTS[0], doc_id="t")
    assert json.loads(json.dumps(result)) == result  # nothing but dicts, lists, strings and numbers
    assert result["doc_id"] == "t" and [c["text"] for c in result["claims"]] == [
        "Putin failed badly in Ukraine.", "Aliyev met Erdogan in Ankara on Tuesday."]
    for claim in result["claims"]:
        assert TEXTS[0][claim["start"] : claim["end"]] == claim["text"]
        for actor in claim["actors"]:
            assert actor["label"] in ("against", "neutral", "favor") and not actor["windowed"]
            assert abs(actor["score"] - (actor["probs"]["favor"] - actor["probs"]["against"])) < 2e-4
            assert all(TEXTS[0][m["start"] : m["end"]] == m["text"] for m in actor["mentions"])
    named = {a["actor"] for c in result["claims"] for a in c["actors"]}
    assert {"Putin", "Ukraine", "Aliyev", "Erdogan", "Turkey"} <= named
    assert {row["actor"] for row in result["actors"]} == named
    for row in result["actors"]:
        scores = [a["score"] for c in result["claims"] for a in c["actors"] if a["actor"] == row["actor"]]
        assert row["claims"] == len(scores) and abs(row["mean_score"] - sum(scores) / len(scores)) < 1e-4


def test_score_many_streams_in_order_with_ids(pipe):
    items = iter([TEXTS[0], ("mine", TEXTS[1]), TEXTS[2]])  # a one-shot iterator, read batch by batch
    results = pipe.score_many(items, doc_batch_size=2)
    first = next(results)
    assert first["doc_id"] == "0"
    rest = list(results)
    assert [r["doc_id"] for r in rest] == ["mine", "2"]
    assert rest[1]["claims"][0]["actors"] == [] and rest[1]["actors"] == []  # no actor: the claim is kept
    assert first == pipe(TEXTS[0], doc_id="0")  # batching does not change the result


def test_a_text_too_long_for_spacy_is_an_error_item_not_an_exception(pipe, monkeypatch):
    monkeypatch.setattr(pipe.analyser.nlp, "max_length", 40)
    results = list(pipe.score_many([("short", "Putin lost."), ("long", TEXTS[0])]))
    assert results[0]["doc_id"] == "short" and results[0]["claims"]
    assert results[1] == {"doc_id": "long", "error": f"text has {len(TEXTS[0])} characters, more than spaCy's "
                                                     "max_length 40"}
    with pytest.raises(ValueError, match="^long: text has"):
        pipe(TEXTS[0], doc_id="long")


def test_api_agrees_with_the_command(tiny_model_dir, tmp_path):
    pipe = StancePipeline.load(tiny_model_dir)  # both with their default precision
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(TEXTS)))
    cfg = compose("score", [f"model_dir={tiny_model_dir}", f"input={path}", f"output={tmp_path / 'out'}",
                            "progress=false", "threads=1"])
    run_score(cfg)
    written = [json.loads(line) for line in (tmp_path / "out" / "pairs.jsonl").read_text().splitlines()]
    from_api = [{"doc_id": r["doc_id"], "claim_id": c["claim_id"], "start": c["start"], "end": c["end"],
                 "text": c["text"], **a} for r in pipe.score_many(TEXTS) for c in r["claims"] for a in c["actors"]]
    assert written == from_api and len(written) >= 8


def test_quantize_loads_an_int8_model_with_close_scores(pipe, tiny_model_dir):
    quantized = StancePipeline.load(tiny_model_dir, quantize=True)
    modules = list(quantized.loaded.model.modules())
    assert not any(isinstance(m, torch.nn.Linear) for m in modules)  # every Linear replaced by its int8 version
    assert any(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in modules)
    fp32, int8 = pipe(TEXTS[0]), quantized(TEXTS[0])
    pairs = [(a, b) for c, d in zip(fp32["claims"], int8["claims"]) for a, b in zip(c["actors"], d["actors"])]
    assert pairs and all(a["actor"] == b["actor"] for a, b in pairs)
    assert max(abs(a["score"] - b["score"]) for a, b in pairs) < 0.1


def test_bf16_halves_the_weights_and_keeps_scores_close(pipe, tiny_model_dir):
    half = StancePipeline.load(tiny_model_dir, bf16=True)
    assert {p.dtype for p in half.loaded.model.parameters()} == {torch.bfloat16}
    fp32, bf16 = pipe(TEXTS[1]), half(TEXTS[1])
    pairs = [(a, b) for c, d in zip(fp32["claims"], bf16["claims"]) for a, b in zip(c["actors"], d["actors"])]
    assert pairs and max(abs(a["score"] - b["score"]) for a, b in pairs) < 0.05
    with pytest.raises(ValueError, match="quantize and bf16 exclude each other"):
        StancePipeline.load(tiny_model_dir, quantize=True, bf16=True)


@pytest.mark.parametrize("native", [True, False])
def test_default_precision_is_bf16_only_where_the_cpu_has_it(monkeypatch, tiny_model_dir, native):
    monkeypatch.setattr(stance.score.pipeline, "native_bf16", lambda: native)
    auto = StancePipeline.load(tiny_model_dir)
    assert auto.precision == ("bf16" if native else "float32")
    assert {p.dtype for p in auto.loaded.model.parameters()} == {torch.bfloat16 if native else torch.float32}
    assert StancePipeline.load(tiny_model_dir, quantize=True).precision == "int8"
    assert StancePipeline.load(tiny_model_dir, bf16=False).precision == "float32"


def test_no_ner_discovery_leaves_the_entity_recogniser_out(tiny_model_dir):
    actors = default_group("actors")
    actors.discover_ner = False
    registry_only = StancePipeline.load(tiny_model_dir, actors_cfg=actors, bf16=False)
    assert "ner" not in registry_only.analyser.nlp.pipe_names
    assert "lemmatizer" not in registry_only.analyser.nlp.pipe_names
    result = registry_only("Putin failed badly in Ukraine. Mr. Zlotnik met Aliyev.")
    named = {a["actor"] for c in result["claims"] for a in c["actors"]}
    assert named == {"Putin", "Ukraine", "Aliyev"}  # "Zlotnik" is no registry actor: only NER would find him


def test_the_model_leaves_spacy_a_core_while_it_analyses(tiny_model_dir):
    two = StancePipeline.load(tiny_model_dir, bf16=False, threads=2)
    assert two.model_threads() == 2
    two.analysing = True
    assert two.model_threads() == 1
    one = StancePipeline.load(tiny_model_dir, bf16=False, threads=1)
    one.analysing = True
    assert one.model_threads() == 1


def test_thread_counts_take_effect_on_the_thread_that_computes(pipe):
    from concurrent.futures import ThreadPoolExecutor

    from stance.model.predict import predict_proba
    from stance.types import PairExample, Span

    asked, seen = iter([2, 1, 2]), []
    hook = pipe.loaded.model.register_forward_pre_hook(lambda *_: seen.append(torch.get_num_threads()))
    examples = [PairExample("Putin " + "lost " * n, [Span(0, 5)]) for n in range(6)]  # three batches of two
    try:
        with ThreadPoolExecutor(1) as worker:
            worker.submit(predict_proba, pipe.loaded, examples, 2, threads=lambda: next(asked)).result()
    finally:
        hook.remove()
        torch.set_num_threads(1)
    assert seen == [2, 1, 2]
