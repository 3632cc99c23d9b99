"""Evaluating on the analyst's own labelled CSV (`format: simple`), and the model-minus-model table of side-by-side
runs with paired bootstrap intervals."""
import pytest

from stance.config import compose
from stance.evaluate.metrics import paired_bootstrap_difference
from stance.evaluate.run import run_evaluate

LABELS = ["against", "neutral", "favor"]


def test_paired_difference():
    gold = ["against", "neutral", "favor", "favor"] * 5
    same = paired_bootstrap_difference(gold, gold, gold, LABELS, resamples=200)
    assert same["accuracy"] == {"difference": 0.0, "ci": [0.0, 0.0]}
    wrong = ["neutral", "favor", "against", "against"] * 5
    better = paired_bootstrap_difference(gold, wrong, gold, LABELS, resamples=200)
    assert better["accuracy"]["difference"] == 1.0 and better["f1_macro"]["difference"] == 1.0
    half = gold[:10] + wrong[10:]
    mixed = paired_bootstrap_difference(gold, wrong, half, LABELS, resamples=500, seed=3)
    low, high = mixed["accuracy"]["ci"]
    assert mixed["accuracy"]["difference"] == 0.5 and low < 0.5 < high and mixed["n"] == 20
    assert paired_bootstrap_difference([], [], [], LABELS)["f1_macro"]["difference"] is None


def test_evaluate_on_a_labelled_csv_side_by_side(tmp_path, tiny_model_dir, wide_model_dir):
    rows = ["text,target,label"] + [f"Report {i}: Aliyev {word}.,Aliyev,{label}" for i, (word, label) in enumerate(
        [("failed badly", "neg"), ("met officials", "neu"), ("won praise", "pos")] * 6)]
    (tmp_path / "mine.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    cfg = compose("evaluate", [f"model_dir=[{tiny_model_dir},{wide_model_dir}]", f"output={tmp_path / 'out'}",
                               f"datasets=[{{name: mine, source: {{format: simple, path: {tmp_path / 'mine.csv'}}}}}]",
                               "baselines.enabled=false", "bootstrap_resamples=200"])
    metrics = run_evaluate(cfg)
    result = metrics["datasets"]["mine"]
    assert result["n"] == 18
    first, second = list(metrics["models"])
    delta = result["model_deltas"]["models"][second]
    assert result["model_deltas"]["baseline_model"] == first
    expected = result["systems"][second]["accuracy"] - result["systems"][first]["accuracy"]
    assert delta["accuracy"]["difference"] == pytest.approx(expected)
    low, high = delta["f1_macro"]["ci"]
    assert low <= delta["f1_macro"]["difference"] <= high
    report = (tmp_path / "out" / "report.md").read_text()
    assert "Model minus model (same rows)" in report and f"{second} − {first}" in report
