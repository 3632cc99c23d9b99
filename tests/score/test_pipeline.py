"""The Python API on the tiny random model: `StancePipeline.load(dir)(text)` and `.score_many(...)` return
plain data whose spans point into the text, and agree with what the command writes."""
import json

import pytest
import torch

import stance.score.pipeline
from stance import ActorStance, DocumentResult, StanceError, StancePipeline
from stance.config import compose
from stance.score import run_score
from stance.score.pipeline import default_group

TEXTS = ["Putin failed badly in Ukraine. Aliyev met Erdogan in Ankara on Tuesday.",
         "The Kremlin lost the war. Russia and Azerbaijan are rivals now.",
         "Rain fell all day."]
SPREAD_TEXT = ("Erdogan wants to push Russia out of the Caucasus. The Taliban met officials from India. "
               "Brussels should stop lecturing Beijing and start paying.")


@pytest.fixture(scope="module")
def pipe(tiny_model_dir):
    torch.set_num_threads(1)  # small forwards on a shared 2-core machine are faster on one thread
    return StancePipeline.load(tiny_model_dir, bf16=False)


def test_one_text_gives_claims_actors_and_stances_as_plain_data(pipe):
    typed = pipe(TEXTS[0], doc_id="t")
    assert isinstance(typed, DocumentResult) and isinstance(typed.claims[0].actors[0], ActorStance)
    assert typed.claims[0].actors[0].mentions[0].text == typed.claims[0].text[:5]  # "Putin"
    result = typed.to_dict()
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
    assert first.doc_id == "0"
    rest = list(results)
    assert [r.doc_id for r in rest] == ["mine", "2"]
    assert rest[1].claims[0].actors == [] and rest[1].actors == []  # no actor: the claim is kept
    assert first == pipe(TEXTS[0], doc_id="0")  # batching does not change the result


def test_a_text_too_long_for_spacy_is_an_error_item_not_an_exception(pipe, monkeypatch):
    monkeypatch.setattr(pipe.analyser.nlp, "max_length", 40)
    results = list(pipe.score_many([("short", "Putin lost."), ("long", TEXTS[0])]))
    assert results[0].doc_id == "short" and results[0].claims and results[0].error is None
    assert results[1] == DocumentResult("long", error=f"text has {len(TEXTS[0])} characters, more than spaCy's "
                                                      "max_length 40")
    with pytest.raises(StanceError, match="^long: text has"):
        pipe(TEXTS[0], doc_id="long")


def test_api_agrees_with_the_command(tiny_model_dir, tmp_path):
    pipe = StancePipeline.load(tiny_model_dir)  # both with their default precision
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(TEXTS)))
    cfg = compose("score", [f"model_dir={tiny_model_dir}", f"input={path}", f"output={tmp_path / 'out'}",
                            "progress=false", "threads=1"])
    run_score(cfg)
    written = [json.loads(line) for line in (tmp_path / "out" / "pairs.jsonl").read_text().splitlines()]
    from_api = [row for result in pipe.score_many(TEXTS) for row in result.pairs()]
    assert written == from_api and len(written) >= 8


def pair_logits(loaded, examples, marker_shift=0):
    """Raw logits of each pair, optionally with the head reading `marker_shift` tokens past the marker."""
    from stance.model.predict import encode_examples, sorted_batches

    encoded = encode_examples(loaded.tokenizer, loaded.model_cfg, examples)
    logits = torch.zeros(len(examples), len(loaded.labels))
    with torch.inference_mode():
        for indices, batch in sorted_batches(encoded, 64, loaded.tokenizer.pad_token_id or 0):
            batch["marker_index"] = batch["marker_index"] + marker_shift
            logits[indices] = loaded.model(**batch)["logits"].float()
    return logits


def test_bf16_halves_the_weights_and_keeps_every_logit_close(wide_model_dir):
    """On the wide-initialised model (logits spread over several units), bf16 logits stay within a small part
    of that spread, pair by pair and class by class; reading the marker one token off moves them far more,
    so this comparison would catch it."""
    from stance.types import PairExample, Span

    fp32 = StancePipeline.load(wide_model_dir, bf16=False)
    half = StancePipeline.load(wide_model_dir, bf16=True)
    assert {p.dtype for p in half.loaded.model.parameters()} == {torch.bfloat16} and half.precision == "bf16"
    examples = [PairExample(item.claim.text, [Span(m.start - item.claim.start, m.end - item.claim.start)])
                for items in fp32.analyser(TEXTS + [SPREAD_TEXT]) for item in items for m in item.mentions]
    reference = pair_logits(fp32.loaded, examples)
    spread = reference.std().item()
    assert len(examples) >= 8 and spread > 1.0  # logits that spread: a wrong computation cannot hide in them

    def close(logits):
        diff = (logits - reference).abs()
        return diff.mean().item() < 0.1 * spread and diff.max().item() < 0.5 * spread

    assert close(pair_logits(half.loaded, examples))
    assert not close(pair_logits(fp32.loaded, examples, marker_shift=1))


@pytest.mark.parametrize("native", [True, False])
def test_default_precision_is_bf16_only_where_the_cpu_has_it(monkeypatch, tiny_model_dir, native):
    monkeypatch.setattr(stance.score.pipeline, "native_bf16", lambda: native)
    auto = StancePipeline.load(tiny_model_dir)
    assert auto.precision == ("bf16" if native else "float32")
    assert {p.dtype for p in auto.loaded.model.parameters()} == {torch.bfloat16 if native else torch.float32}
    assert StancePipeline.load(tiny_model_dir, bf16=False).precision == "float32"


def test_no_ner_discovery_leaves_the_entity_recogniser_out(tiny_model_dir):
    actors = default_group("actors")
    actors.discover_ner = False
    registry_only = StancePipeline.load(tiny_model_dir, actors_cfg=actors, bf16=False)
    assert "ner" not in registry_only.analyser.nlp.pipe_names
    assert "lemmatizer" not in registry_only.analyser.nlp.pipe_names
    result = registry_only("Putin failed badly in Ukraine. Mr. Zlotnik met Aliyev.")
    named = {a.actor for c in result.claims for a in c.actors}
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


def test_load_and_score_leave_the_callers_hydra_state_and_threads_as_they_were(tiny_model_dir, tmp_path):
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    (tmp_path / "mine.yaml").write_text("answer: 42\n")
    with initialize_config_dir(config_dir=str(tmp_path), version_base="1.3"):
        pipe = StancePipeline.load(tiny_model_dir, bf16=False, threads=2)  # composes the default actors/segment
        assert hydra_compose(config_name="mine").answer == 42  # the caller's Hydra, with its own config dir
    torch.set_num_threads(1)
    pipe(TEXTS[0])  # the model computes with 2 threads on this thread...
    assert torch.get_num_threads() == 1  # ...and gives the caller's setting back


def test_score_pairs_extra_actors_and_one_error_type(pipe, tiny_model_dir, tmp_path):
    given = pipe.score_pairs([("Lula deserves real credit; lula's critics agree.", "Lula"),
                              ("Putin lost.", [(0, 5)], "Russia's president")])
    assert [p.actor for p in given] == ["Lula", "Russia's president"]
    assert [m.text for m in given[0].mentions] == ["Lula", "lula"] and given[1].mentions[0].source == "given"
    assert given[0].label == max(given[0].probs, key=given[0].probs.get)
    with pytest.raises(StanceError, match="pair 1: target 'Aliyev' not found"):
        pipe.score_pairs([("Putin lost.", "Putin"), ("Putin lost.", "Aliyev")])
    with pytest.raises(StanceError, match=r"pair 0: span\(s\) \[\(3, 40\)\] outside the text"):
        pipe.score_pairs([("Putin lost.", [(3, 40)])])
    mine = tmp_path / "mine.yaml"
    mine.write_text("Zlotnik: {kind: person, aliases: [Zlotnik]}\n")
    extra = StancePipeline.load(tiny_model_dir, bf16=False, extra_actors=[mine])
    found = {(a.actor, a.kind) for c in extra("Mr. Zlotnik met Aliyev.").claims for a in c.actors}
    assert ("Zlotnik", "person") in found
    with pytest.raises(StanceError, match="no such model directory"):
        StancePipeline.load(tmp_path / "none")
    mine.write_text("Zlotnik: {kind: celebrity}\n")
    with pytest.raises(StanceError, match="mine.yaml:1: actor 'Zlotnik': kind 'celebrity'"):
        StancePipeline.load(tiny_model_dir, extra_actors=[mine])
