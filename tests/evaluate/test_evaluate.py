"""`python -m stance.evaluate` on a tiny random model and tiny fixtures: report files, metrics keys,
the end-to-end matching, two models side by side, and the agreement mode."""
import base64
import json
import random
import re
import shutil

import pytest
from omegaconf import OmegaConf

from stance.config import compose
from stance.data.sources import DataError
from stance.evaluate.baselines import training_sources
from stance.evaluate.end_to_end import gold_documents
from stance.evaluate.report import summary_text
from stance.evaluate.run import run_agreement, run_evaluate
from stance.types import Claim, ClaimActors, Mention

DOCUMENT = "Putin failed badly and Aliyev won praise. The Kremlin met officials on Tuesday. Rain fell."
CLAIMS = [(0, 41), (42, 79), (80, 90)]
WORDS = {"against": "failed disastrously and lied", "neutral": "met officials on Tuesday", "favor": "won praise and succeeded"}


def write_newsmtsc_like(path, n, seed):
    rng = random.Random(seed)
    with path.open("w") as handle:
        for i in range(n):
            label, target = rng.choice(list(WORDS)), rng.choice(["Putin", "Aliyev", "the Kremlin"])
            row = {"mention": target, "polarity": {"against": -1, "neutral": 0, "favor": 1}[label], "from": 0,
                   "to": len(target), "sentence": f"{target} {WORDS[label]}, the paper said.", "id": str(i)}
            handle.write(json.dumps(row) + "\n")
    return path


def gold_row(claim_id, actor, mentions, stance):
    start, end = CLAIMS[claim_id]
    return {"doc_id": "doc", "claim_id": claim_id, "start": start, "end": end, "text": DOCUMENT[start:end],
            "actor": actor, "mentions": [{"text": DOCUMENT[s:e], "start": s, "end": e} for s, e in mentions],
            "stance": stance, "sentiment": "neutral", "note": ""}


def write_gold(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


GOLD = [gold_row(0, "Putin", [(0, 5)], "against"), gold_row(0, "Aliyev", [(23, 29)], "favor"),
        gold_row(1, "Russia", [(46, 53)], "neutral"), gold_row(2, None, [], None)]


def fake_analyse(text):
    """Claim 1 split one character short, Aliyev not found, "officials" taken for an actor."""
    assert text == DOCUMENT
    first, second = Claim(0, 0, 41, text[0:41]), Claim(1, 42, 78, text[42:78])
    return [
        ClaimActors(first, [Mention("Putin", "person", "Putin", 0, 5, "registry")]),
        ClaimActors(second, [Mention("Russia", "state", "Kremlin", 46, 53, "registry"),
                             Mention("officials", "unknown", "officials", 54, 63, "ner")]),
        ClaimActors(Claim(2, 80, 90, text[80:90]), []),
    ]


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory, tiny_model_dir):
    """Two tiny models side by side; the first carries the config.yaml training saves, so the baselines fit
    on its training data (40 NewsMTSC-like pairs) without baselines.train."""
    tmp_path = tmp_path_factory.mktemp("evaluate")
    first = shutil.copytree(tiny_model_dir, tmp_path / "first")
    second = shutil.copytree(tiny_model_dir, tmp_path / "second")
    (tmp_path / "doc.txt").write_text(DOCUMENT)
    gold = write_gold(tmp_path / "gold.jsonl", GOLD)
    news = write_newsmtsc_like(tmp_path / "news.jsonl", 30, seed=1)
    train = write_newsmtsc_like(tmp_path / "train.jsonl", 40, seed=2)
    OmegaConf.save({"data": {"train": [{"format": "newsmtsc", "path": str(train)}]}}, first / "config.yaml")
    out = tmp_path / "report"
    datasets = (f"datasets=[{{name: seed, source: {{format: gold, path: {gold}}}, document: {tmp_path / 'doc.txt'}}},"
                f"{{name: news, source: {{format: newsmtsc, path: {news}}}}}]")
    cfg = compose("evaluate", [
        f"model_dir=[{first},{second}]", f"output={out}", datasets, "baselines.max_train=25",
        f"baselines.cache_dir={tmp_path / 'cache'}", "bootstrap_resamples=50",
    ])
    return run_evaluate(cfg, analyse=fake_analyse), out, tmp_path


def test_report_files_and_metrics(evaluated):
    metrics, out, tmp_path = evaluated
    for name in ("report.md", "report.html", "metrics.json", "errors.jsonl", "config.yaml"):
        assert (out / name).is_file(), name
    saved = json.loads((out / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(metrics))
    assert set(saved["datasets"]) == {"seed", "seed/end_to_end", "seed/documents", "seed/documents_end_to_end", "news"}
    models = list(saved["models"])
    assert len(models) == 2
    baselines = {"majority", "actor_prior", "vader", "logreg"}
    for result in saved["datasets"].values():
        assert set(result["systems"]) == set(models) | baselines
        for m in result["systems"].values():
            assert {"accuracy", "f1_macro", "f1_macro_present", "labels_present", "f1_polar", "per_class",
                    "confusion", "bootstrap_ci", "calibration", "per_actor", "resampled"} <= set(m)
            assert m["resampled"] == m["bootstrap_ci"]["resampled"] == result["resampled"]
        assert set(result["deltas"]) == set(models) and set(result["deltas"][models[0]]) == baselines
        if result["mode"].startswith("documents"):
            continue
        model = result["systems"][models[0]]
        assert model["calibration"]["ece"] is not None and result["systems"]["vader"]["calibration"] is None
        assert model["per_actor"] and model["windowed"] == 0
        delta = result["deltas"][models[0]]["vader"]["accuracy"]
        assert delta == pytest.approx(model["accuracy"] - result["systems"]["vader"]["accuracy"])
    assert saved["datasets"]["seed"]["n"] == 3 and saved["datasets"]["news"]["n"] == 30
    # one document: its claims resampled; NewsMTSC: its sentences; the seed's three actors: each a row
    assert [saved["datasets"][key]["resampled"] for key in saved["datasets"]] == [
        "claims (2)", "actors (3)", "claims (2)", "actors (4)", "pairs (30)"]
    assert saved["datasets"]["seed"]["systems"]["majority"]["labels_present"] == ["against", "neutral", "favor"]
    assert saved["baselines"]["train_pairs"] == 40 and saved["baselines"]["logreg_train_pairs"] == 25
    assert saved["baselines"]["sources_from"].startswith("data.train of")
    assert list((tmp_path / "cache").glob("*.npy"))
    assert OmegaConf.load(out / "config.yaml").output == str(out)  # resolved config next to the outputs


def test_html_embeds_the_plots(evaluated):
    metrics, out, _ = evaluated
    html = (out / "report.html").read_text()
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"', html)
    alts = [alt for _, alt in images]
    # a confusion heatmap per model and set (2 x 5), a reliability diagram per pair-level set, the seed per-actor chart
    assert sum(alt.startswith("Confusion matrix") for alt in alts) == 10
    assert sum(alt.startswith("Reliability diagram") for alt in alts) == 3
    assert alts.count("Stance per actor: seed") == 1
    assert all(base64.b64decode(data).startswith(b"\x89PNG") for data, _ in images)
    assert "src=\"http" not in html and "<link" not in html  # self-contained
    report = (out / "report.md").read_text()
    assert "## Summary" in report and "What the model adds over the baselines" in report
    assert "intervals resample claims (2)" in report and "F_avg [95% CI]" in report
    assert "Lenient: stance credit for any touching pair" in report
    assert f"{list(metrics['models'])[1]} − logreg" in report


def test_summary_text_has_a_line_per_system(evaluated):
    metrics, _, _ = evaluated
    text = summary_text(metrics)
    systems = len(metrics["models"]) + 4
    model_minus_model = 5 * (len(metrics["models"]) - 1)  # a line per set and mode for each further model
    assert sum(line.startswith(("seed ", "news ")) for line in text.splitlines()) == 5 * systems + 1 + model_minus_model
    assert "seed end to end: actor detection P 0.667" in text


def test_end_to_end_matching(evaluated):
    metrics, out, _ = evaluated
    result = metrics["datasets"]["seed/end_to_end"]
    assert result["matching"] == {"matched": 2, "missed": 1, "spurious": 1,
                                  "lenient": {"matched": 2, "missed": 1, "spurious": 1, "same_actor_name": 2}}
    assert set(result["lenient"]) == set(result["systems"])
    assert result["detection"]["precision"] == pytest.approx(2 / 3) and result["detection"]["recall"] == pytest.approx(2 / 3)
    assert result["detection_any_touch"]["found"] == 2 and result["detection_any_touch"]["correct"] == 2
    assert result["claims"] == {"gold": 3, "predicted": 3, "exact": 2, "agreement": pytest.approx(2 / 3),
                                "precision": pytest.approx(2 / 3), "recall": pytest.approx(2 / 3),
                                "f1": pytest.approx(2 / 3)}
    model = result["systems"][next(iter(metrics["models"]))]
    assert model["n"] == 4 and model["confusion"]["gold"] == ["against", "neutral", "favor", "spurious"]
    assert model["confusion"]["predicted"] == ["against", "neutral", "favor", "missed"]
    assert model["accuracy"] <= 0.5  # the missed and the spurious row are wrong whatever the model says
    everything = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert len(everything) == metrics["errors"] and all(e["gold"] != e["predicted"] for e in everything)
    errors = [e for e in everything if e["mode"] == "end_to_end"]
    missed = [e for e in errors if e["predicted"] == "missed"]
    assert {(e["actor"], e["gold"], e["probabilities"]) for e in missed} == {("Aliyev", "favor", None)}
    spurious = [e for e in errors if e["gold"] == "spurious"]
    assert {e["actor"] for e in spurious} == {"officials"} and len(spurious) == 2  # once per model


def test_agreement_mode(tmp_path):
    a = write_gold(tmp_path / "a.jsonl", GOLD)
    b_rows = [gold_row(0, "Putin", [(0, 5)], "against"), gold_row(0, "Aliyev", [(23, 29)], "neutral"),
              gold_row(0, "Turkey", [(30, 33)], "favor"), gold_row(1, "Russia", [(46, 53)], "neutral"),
              gold_row(2, None, [], None)]
    b = write_gold(tmp_path / "b.jsonl", b_rows)
    out = tmp_path / "agreement"
    result = run_agreement(compose("evaluate", ["mode=agreement", f"a={a}", f"b={b}", f"output={out}"]))
    # shared pairs: Putin a/a, Aliyev f/n, Russia n/n -> p_o 2/3, p_e (1*1 + 1*2 + 1*0)/9 = 1/3, kappa 0.5
    assert result["stance"]["n"] == 3 and result["stance"]["kappa"] == pytest.approx(0.5)
    assert result["pairs"] == {"a": 3, "b": 4, "shared": 3, "only_a": 0, "only_b": 1, "jaccard": 0.75}
    assert result["actor_jaccard_mean_per_claim"] == pytest.approx((2 / 3 + 1 + 1) / 3)
    assert result["per_claim"][0]["only_b"] == ["Turkey"]
    assert result["sentiment"] == {"n": 3, "kappa": 1.0, "observed_agreement": 1.0}
    assert (out / "metrics.json").is_file() and "Cohen's kappa 0.500" in (out / "report.md").read_text()


def test_bad_gold_row_is_reported_with_its_line(tmp_path, tiny_model_dir):
    gold = write_gold(tmp_path / "gold.jsonl", [GOLD[0], dict(GOLD[1], stance="great")])
    cfg = compose("evaluate", [f"model_dir={tiny_model_dir}", f"output={tmp_path / 'out'}", "baselines.enabled=false",
                               f"datasets=[{{name: seed, source: {{format: gold, path: {gold}}}}}]"])
    with pytest.raises(DataError, match=rf"{gold}:2: stance 'great' is not one of against, neutral, favor"):
        run_evaluate(cfg)


def test_gold_that_does_not_fit_its_document_is_reported_with_its_line(tmp_path, tiny_model_dir):
    gold = write_gold(tmp_path / "gold.jsonl", [GOLD[0], dict(GOLD[2], text="The Kremlin met nobody.")])
    (tmp_path / "doc.txt").write_text(DOCUMENT)
    datasets = f"datasets=[{{name: seed, source: {{format: gold, path: {gold}}}, document: {tmp_path / 'doc.txt'}}}]"
    cfg = compose("evaluate", [f"model_dir={tiny_model_dir}", f"output={tmp_path / 'out'}", "baselines.enabled=false",
                               datasets])
    with pytest.raises(DataError) as caught:
        run_evaluate(cfg, analyse=fake_analyse)
    assert caught.value.problems == [  # the gold validator's message (python -m stance.data validate)
        f"{gold}:2: claim span [42, 79) is 37 characters but text has 23"]
    assert not (tmp_path / "out").exists()  # checked before anything is written


def test_a_document_directory_gives_each_documents_rows_and_text_and_names_a_missing_one(tmp_path):
    rows = GOLD + [dict(row, doc_id="other") for row in GOLD[:2]] + [dict(GOLD[0], doc_id="gone")]
    gold = write_gold(tmp_path / "gold.jsonl", rows)
    (tmp_path / "docs").mkdir()
    for doc_id in ("doc", "other"):
        (tmp_path / "docs" / f"{doc_id}.txt").write_text(DOCUMENT)
    set_cfg = OmegaConf.create({"name": "many", "source": {"format": "gold", "path": str(gold)},
                                "document": str(tmp_path / "docs")})
    with pytest.raises(DataError) as caught:
        gold_documents(set_cfg)
    assert caught.value.problems == [f"{tmp_path / 'docs' / 'gone.txt'}: document gone of set many not found"]
    gold.write_text("".join(json.dumps(row) + "\n" for row in rows[:-1]))
    rows_by_doc, texts = gold_documents(set_cfg)
    assert {d: len(r) for d, r in rows_by_doc.items()} == {"doc": 4, "other": 2}
    assert texts == {"doc": DOCUMENT, "other": DOCUMENT}
    one_file = OmegaConf.merge(set_cfg, {"document": str(tmp_path / "docs" / "doc.txt")})
    with pytest.raises(DataError, match="2 documents; `document` must then be their directory"):
        gold_documents(one_file)


def test_baseline_training_data(tmp_path):
    explicit = OmegaConf.create({"train": [{"format": "newsmtsc", "path": "x.jsonl"}]})
    assert training_sources(explicit, tmp_path)[1] == "baselines.train"
    with pytest.raises(DataError, match=rf"{tmp_path / 'config.yaml'}: not found, .*set baselines.train"):
        training_sources(OmegaConf.create({"train": []}), tmp_path)


def test_cli_agreement_and_one_line_error(tmp_path, monkeypatch, capsys):
    from stance.evaluate.run import main

    a = write_gold(tmp_path / "a.jsonl", GOLD)
    bad = tmp_path / "b.jsonl"
    bad.write_text(json.dumps(GOLD[0]) + "\n{not json\n")
    command = ["stance.evaluate", "mode=agreement", f"a={a}", f"output={tmp_path / 'out'}"]
    monkeypatch.setattr("sys.argv", [*command, f"b={a}"])
    main()
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["stance"]["kappa"] == 1.0
    monkeypatch.setattr("sys.argv", [*command, f"b={bad}"])
    with pytest.raises(SystemExit) as caught:
        main()
    assert caught.value.code == 1
    assert capsys.readouterr().err.strip() == f"{bad}:2: malformed JSON (Expecting property name enclosed in double quotes at column 2)"


def test_document_level_labels(evaluated):
    metrics, _, _ = evaluated
    first = next(iter(metrics["models"]))
    given = metrics["datasets"]["seed/documents"]
    assert given["n"] == 3 and given["gold_labels"].startswith("the stance most of the actor's gold claims")
    assert given["systems"][first]["confusion"]["gold"] == ["against", "neutral", "favor"]
    # end to end: the rows of actors.csv, Aliyev not found, "officials" not in the gold
    model = metrics["datasets"]["seed/documents_end_to_end"]["systems"][first]
    assert model["n"] == 4
    assert model["per_actor"]["Aliyev"]["predicted"] == {"missed": 1}
    assert model["per_actor"]["officials"]["gold"] == {"spurious": 1}
