"""The training mix: every source read, each at its weight, seeded."""
import json

from stance.data.mixing import mix_sources, sample_source
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
    assert len(sample_source(a, 1.25, 0)) == 125 and sample_source(a, 0.0, 0) == []


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
        f"data.dev=[{{format: gold, name: gold_dev, path: '{gold}'}}]", "data.test=[]"])
    train, dev, _ = load_data(cfg, ["against", "neutral", "favor"])
    assert sorted(e.source for e in train) == ["gold"] * 12 + ["news"] * 3
    assert list(dev) == ["gold_dev"] and all(e.sentiment == "positive" for e in dev["gold_dev"])
    assert dev["gold_dev"][1].context == text and dev["gold_dev"][0].context is None  # the claim before
