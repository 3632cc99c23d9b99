"""The training mix: every source read, each at its weight, seeded, drawn afresh each epoch."""
import json

from stance.data.mixing import draw_epoch, mix_sources, sample_indices
from stance.types import PairExample, Span


def examples(name, n):
    return [PairExample(f"{name} {i}", [Span(0, len(name))], "neutral", source=name) for i in range(n)]


def test_weights_set_each_sources_share_and_the_sample_is_seeded():
    a, b, c = examples("alpha", 100), examples("beta", 40), examples("gamma", 10)
    mixed = mix_sources([(a, 0.5), (b, 2.0), (c, 1.0)], seed=3)
    counts = {name: sum(e.source == name for e in mixed) for name in ("alpha", "beta", "gamma")}
    assert counts == {"alpha": 50, "beta": 80, "gamma": 10}
    assert len({e.text for e in mixed if e.source == "alpha"}) == 50  # below 1: no repeats
    assert mix_sources([(a, 0.5)], seed=3) == mix_sources([(a, 0.5)], seed=3)
    assert mix_sources([(a, 0.5)], seed=3) != mix_sources([(a, 0.5)], seed=4)
    assert len(sample_indices(100, 1.25, 0)) == 125 and sample_indices(100, 0.0, 0) == []


def test_each_epoch_draws_a_new_sample_with_the_same_weights():
    a, b = examples("alpha", 100), examples("beta", 40)
    epochs = [mix_sources([(a, 0.3), (b, 1.5)], seed=3, epoch=k) for k in range(4)]
    for mixed in epochs:  # every epoch keeps each source's share
        assert sum(e.source == "alpha" for e in mixed) == 30 and sum(e.source == "beta" for e in mixed) == 60
        assert len({e.text for e in mixed if e.source == "beta"}) == 40  # above 1: every pair at least once
    alpha_samples = [frozenset(e.text for e in mixed if e.source == "alpha") for mixed in epochs]
    assert len(set(alpha_samples)) == 4  # a different 30% each epoch
    assert len(frozenset().union(*alpha_samples)) > 60  # so more of the source is seen over the epochs
    assert draw_epoch([(100, 0.3)], seed=3, epoch=2) == draw_epoch([(100, 0.3)], seed=3, epoch=2)


def test_the_trainers_dataset_is_redrawn_each_epoch(tiny_backbone_dir):
    from stance.model.classifier import build_classifier
    from stance.train.datasets import EpochMix, RedrawEachEpoch

    loaded = build_classifier({**model_config(), "backbone": tiny_backbone_dir})
    mix = EpochMix(loaded, [(examples("alpha", 50), 0.2)], seed=1)
    first = [item["input_ids"] for item in mix]
    RedrawEachEpoch(mix).on_epoch_begin(None, type("State", (), {"epoch": 1.0})(), None)
    assert mix.epoch == 1 and len(mix) == 10 and [item["input_ids"] for item in mix] != first


def model_config():
    from omegaconf import OmegaConf

    from stance.config import ModelConfig
    return OmegaConf.to_container(OmegaConf.structured(ModelConfig), resolve=True)


def test_train_reads_every_source_of_the_mix(tmp_path, tiny_backbone_dir):
    from stance.config import compose
    from stance.train.run import load_data

    def write(name, rows):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        return str(path)

    news = write("news", [{"sentence": f"Putin lost {i}.", "from": 0, "to": 5, "polarity": -1} for i in range(10)])
    text = "Baku won."
    gold = write("gold", [{"doc_id": "d", "claim_id": i, "start": 10 * i, "end": 10 * i + len(text), "text": text,
                           "actor": "Azerbaijan", "mentions": [{"text": "Baku", "start": 10 * i, "end": 10 * i + 4}],
                           "stance": "favor", "sentiment": "positive", "note": ""} for i in range(6)])
    cfg = compose("train", [
        (f"data.train=[{{format: newsmtsc, name: news, path: '{news}', weight: 0.3}},"
         f"{{format: gold, name: gold, path: '{gold}', weight: 2.0}}]"),
        f"data.dev=[{{format: gold, name: gold_dev, path: '{gold}'}}]",
        f"data.test=[{{format: gold, name: gold_test, path: '{gold}'}}]"])
    sources, dev, test = load_data(cfg, ["against", "neutral", "favor"])
    assert sorted(e.source for e in mix_sources(sources, seed=0)) == ["gold"] * 12 + ["news"] * 3
    assert test == {}  # test sets are read only with trainer.eval_test=true
    assert list(dev) == ["gold_dev"] and all(e.sentiment == "positive" for e in dev["gold_dev"])
