"""Calibration fitted on dev: temperature lowers the NLL, the bias is kept only where it helps, both are saved
with the model and applied when it loads; a model saved without calibration still loads."""
import json

import numpy as np
import pytest

from stance.model.calibration import fit_calibration, fit_temperature, nll
from stance.model.classifier import META_FILE, load_classifier, save_classifier
from stance.model.predict import calibrated_probs, predict_proba
from stance.types import PairExample, Span


def overconfident_logits(n=400, seed=0):
    """Logits three times too large for how often their argmax is right (70%)."""
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 3, n)
    predicted = np.where(rng.random(n) < 0.7, gold, rng.integers(0, 3, n))
    logits = rng.normal(0, 0.3, (n, 3))
    logits[np.arange(n), predicted] += 6.0
    return logits, gold


def test_temperature_lowers_nll_and_keeps_the_argmax():
    logits, gold = overconfident_logits()
    temperature = fit_temperature(logits, gold)
    assert temperature > 1.5
    assert nll(logits, gold, {"temperature": temperature}) < nll(logits, gold, None) - 0.2
    calibrated = calibrated_probs(logits, {"temperature": temperature})
    assert (calibrated.argmax(1) == logits.argmax(1)).all()


def test_calibration_round_trips_through_save_and_load(tmp_path, tiny_model_dir):
    loaded = load_classifier(tiny_model_dir, merge_adapter=False)
    examples = [PairExample("Putin failed in Ukraine.", [Span(0, 5)]), PairExample("Baku thrived.", [Span(0, 4)])]
    raw = predict_proba(loaded, examples)
    loaded.calibration = {"temperature": 0.05, "bias": [0.0, -0.5, 0.25]}
    out = save_classifier(loaded, tmp_path / "calibrated")
    reloaded = load_classifier(out)
    assert reloaded.calibration == loaded.calibration
    again = predict_proba(reloaded, examples)
    np.testing.assert_allclose(again.logits, raw.logits, atol=1e-4)
    np.testing.assert_allclose(again.probs, calibrated_probs(raw.logits, loaded.calibration), atol=1e-3)
    assert not np.allclose(again.probs, raw.probs, atol=1e-3)


def test_model_saved_without_calibration_or_sentiment_head_still_loads(tmp_path, tiny_model_dir, recwarn):
    meta = json.loads((__import__("pathlib").Path(tiny_model_dir) / META_FILE).read_text())
    old = tmp_path / "old"
    import shutil

    shutil.copytree(tiny_model_dir, old)
    for key in ("calibration", "sentiment_labels", "files"):  # as saved before these existed (no digests either)
        meta.pop(key, None)
    (old / META_FILE).write_text(json.dumps(meta))
    weights = old / "trained_weights.safetensors"
    from safetensors.torch import load_file, save_file

    save_file({k: v for k, v in load_file(str(weights)).items() if not k.startswith("sentiment_head.")}, str(weights))
    loaded = load_classifier(old)
    assert loaded.calibration is None and loaded.sentiment_labels == []
    prediction = predict_proba(loaded, [PairExample("Putin failed.", [Span(0, 5)])])
    assert prediction.sentiment_probs is None and prediction.probs.sum() == pytest.approx(1.0, abs=1e-5)


def test_fit_calibration_returns_what_is_saved_and_no_bias():
    logits, gold = overconfident_logits()
    fitted = fit_calibration(logits, gold)
    assert set(fitted) == {"temperature", "bias"} and fitted["bias"] == [0.0, 0.0, 0.0]
    assert fitted["temperature"] > 1.0  # over-confident logits are softened
