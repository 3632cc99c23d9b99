"""Training on a tiny random BERT: trains, saves, reloads and predicts identically; seeded; bad data fails early."""
import json
import random

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from stance.config import compose
from stance.data.sources import DataError, load_source
from stance.model.classifier import META_FILE, load_classifier
from stance.model.integrity import record_digests
from stance.model.predict import predict_proba
from stance.train.run import train

WORDS = {"against": "failed disastrously and lied", "neutral": "met officials on Tuesday", "favor": "won praise and succeeded"}


def write_newsmtsc_like(path, n, seed=0):
    rng = random.Random(seed)
    with path.open("w") as handle:
        for i in range(n):
            label = rng.choice(list(WORDS))
            target = rng.choice(["Putin", "Aliyev", "the Kremlin"])
            sentence = f"{target} {WORDS[label]}, the paper said."
            polarity = {"against": -1, "neutral": 0, "favor": 1}[label]
            row = {"mention": target, "polarity": polarity, "from": 0, "to": len(target), "sentence": sentence, "id": str(i)}
            handle.write(json.dumps(row) + "\n")
    return path


def train_config(tmp_path, backbone, extra=()):
    tmp_path.mkdir(parents=True, exist_ok=True)
    train_file = write_newsmtsc_like(tmp_path / "train.jsonl", 48)
    dev_file = write_newsmtsc_like(tmp_path / "dev.jsonl", 12, seed=1)
    return compose("train", [
        f"model.backbone={backbone}",
        f"data.train=[{{format: newsmtsc, name: train, path: {train_file}}}]",
        f"data.dev=[{{format: newsmtsc, name: dev, path: {dev_file}}}]",
        f"data.test=[{{format: newsmtsc, name: test, path: {dev_file}}}]",
        "trainer.epochs=2", "trainer.batch_size=8", "trainer.logging_steps=1",
        f"output_dir={tmp_path / 'model'}", f"checkpoint_dir={tmp_path / 'checkpoints'}",
        *extra,
    ])


@pytest.mark.parametrize("adapter", ["lora", "none"])
def test_train_save_reload_predicts_identically(tmp_path, tiny_backbone_dir, adapter):
    cfg = train_config(tmp_path, tiny_backbone_dir, [f"model.adapter={adapter}"])
    metrics = train(cfg)
    out = tmp_path / "model"
    for name in ("stance_model.json", "trained_weights.safetensors", "config.yaml", "metrics.json", "README.md"):
        assert (out / name).is_file(), name
    assert metrics["test"] == {} and metrics["train"]["pairs"] == 48  # test sets only with trainer.eval_test
    saved = json.loads((out / "metrics.json").read_text())
    assert saved["dev"]["sets"]["dev"]["n"] == 12
    assert json.loads((out / "stance_model.json").read_text())["id2label"] == {"0": "against", "1": "neutral", "2": "favor"}

    examples = load_source({"format": "newsmtsc", "path": str(tmp_path / "dev.jsonl")})
    reloaded = load_classifier(out, merge_adapter=False)
    merged = load_classifier(out)
    first = predict_proba(reloaded, examples).probs
    np.testing.assert_allclose(predict_proba(reloaded, examples).probs, first)
    np.testing.assert_allclose(predict_proba(merged, examples).probs, first, atol=1e-5)
    # The dev metrics in metrics.json (dev.jsonl) came from the in-memory model; the reloaded one reproduces them.
    predicted = [reloaded.labels[i] for i in first.argmax(1)]
    accuracy = np.mean([p == e.label for p, e in zip(predicted, examples)])
    assert accuracy == pytest.approx(saved["dev"]["sets"]["dev"]["accuracy"])


def test_same_seed_same_result(tmp_path, tiny_backbone_dir):
    first = train(train_config(tmp_path / "a", tiny_backbone_dir))
    second = train(train_config(tmp_path / "b", tiny_backbone_dir))
    other = train(train_config(tmp_path / "c", tiny_backbone_dir, ["trainer.seed=13"]))
    assert first["test"] == second["test"]
    a = load_classifier(tmp_path / "a" / "model")
    b = load_classifier(tmp_path / "b" / "model")
    c = load_classifier(tmp_path / "c" / "model")
    examples = load_source({"format": "newsmtsc", "path": str(tmp_path / "a" / "dev.jsonl")})
    np.testing.assert_array_equal(predict_proba(a, examples).probs, predict_proba(b, examples).probs)
    assert not np.array_equal(predict_proba(a, examples).probs, predict_proba(c, examples).probs)
    assert other["train"]["pairs"] == 48


def test_bad_training_data_fails_before_training(tmp_path, tiny_backbone_dir):
    cfg = train_config(tmp_path, tiny_backbone_dir)
    bad = tmp_path / "train.jsonl"
    lines = bad.read_text().splitlines()
    lines[2] = json.dumps({"mention": "X", "polarity": 5, "from": 0, "to": 1, "sentence": "X did it.", "id": "a"})
    lines[4] = json.dumps({"mention": "X", "polarity": 0, "from": 3, "to": 40, "sentence": "X did it.", "id": "b"})
    lines[6] = json.dumps({"mention": "X", "polarity": 0, "from": 0, "to": 1, "id": "c"})
    lines[8] = json.dumps({"mention": "X", "polarity": 0, "from": 0, "to": 1, "sentence": "  ", "id": "d"})
    lines[10] = "{not json"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as caught:
        train(cfg)
    problems = caught.value.problems
    assert f"{bad}:3: unknown label 5" in problems[0]
    assert f"{bad}:5: span [3, 40) is outside the text" in problems[1]
    assert f"{bad}:7: missing field(s) sentence" in problems[2]
    assert f"{bad}:9: empty or missing text" in problems[3]
    assert f"{bad}:11: malformed JSON" in problems[4]
    assert not (tmp_path / "model").exists()


def test_generic_csv_and_jsonl_sources(tmp_path):
    csv_file = tmp_path / "mine.csv"
    csv_file.write_text("sentence,target_start,target_end,stance\nPutin lost.,0,5,NEG\nAliyev won.,0,6,POS\n")
    source = {"format": "csv", "path": str(csv_file), "text_field": "sentence", "label_field": "stance",
              "start_field": "target_start", "end_field": "target_end", "label_map": {"NEG": "against", "POS": "favor"}}
    examples = load_source(source)
    assert [(e.text[e.spans[0].start:e.spans[0].end], e.label) for e in examples] == [("Putin", "against"), ("Aliyev", "favor")]

    missing_column = dict(source, text_field="body")
    with pytest.raises(DataError, match=r"mine.csv:2: missing column\(s\) body"):
        load_source(missing_column)

    jsonl_file = tmp_path / "mine.jsonl"
    jsonl_file.write_text(json.dumps({"text": "Baku and Moscow argued.", "mentions": [{"start": 0, "end": 4}], "label": "neutral"}) + "\n")
    assert load_source({"format": "jsonl", "path": str(jsonl_file)})[0].spans[0].end == 4


def rerecord_digests(model_dir):
    """Record the weights' new SHA-256 in stance_model.json, as saving would."""
    meta_path = model_dir / META_FILE
    meta_path.write_text(json.dumps(record_digests(model_dir, json.loads(meta_path.read_text()))))


def test_folded_lora_equals_peft_model(tmp_path, tiny_backbone_dir):
    """Scoring folds the adapter into the weights without peft; it must give what the peft model gives."""
    train(train_config(tmp_path, tiny_backbone_dir))
    weights = tmp_path / "model" / "trained_weights.safetensors"
    state = load_file(str(weights))
    generator = torch.Generator().manual_seed(0)
    for name in state:
        if ".lora_B." in name:  # B starts at zero: make the adapter's contribution large enough to matter
            state[name] = torch.randn(state[name].shape, generator=generator) * 0.5
    save_file(state, str(weights))
    rerecord_digests(tmp_path / "model")  # the weights were altered on purpose
    examples = load_source({"format": "newsmtsc", "path": str(tmp_path / "dev.jsonl")})
    # Raw logits: the saved calibration of a tiny random model flattens its probabilities.
    with_peft = predict_proba(load_classifier(tmp_path / "model", merge_adapter=False), examples).logits
    folded = load_classifier(tmp_path / "model")
    assert "peft" not in type(folded.model.backbone).__module__
    np.testing.assert_allclose(predict_proba(folded, examples).logits, with_peft, atol=1e-4)
    for name in state:
        if ".lora_B." in name:
            state[name] = torch.zeros_like(state[name])
    save_file(state, str(weights))
    rerecord_digests(tmp_path / "model")
    without_adapter = predict_proba(load_classifier(tmp_path / "model"), examples).logits
    assert np.abs(without_adapter - with_peft).max() > 1e-3


def test_test_sets_are_evaluated_only_when_asked(tmp_path, tiny_backbone_dir):
    cfg = train_config(tmp_path, tiny_backbone_dir, ["trainer.epochs=1", "trainer.eval_test=true"])
    metrics = train(cfg)
    assert set(metrics["test"]) == {"test"} and metrics["test"]["test"]["n"] == 12


def test_a_student_learns_from_its_teacher(tmp_path, tiny_backbone_dir):
    """With distill_weight=1 the stance target is the teacher's alone: a teacher that says favor for every
    training pair pulls the student to favor, against the same run that learns from the gold labels."""
    from stance.train.distill import write_teacher_probs

    favor_share = {}
    for weight in (0.0, 1.0):
        cfg = train_config(tmp_path / str(weight), tiny_backbone_dir, ["trainer.learning_rate=0.01",
                                                                      "trainer.calibrate=false"])
        examples = load_source({"format": "newsmtsc", "path": str(tmp_path / str(weight) / "train.jsonl")})
        favor = np.tile(np.array([[0.0, 0.0, 1.0]], dtype=np.float32), (len(examples), 1))
        teacher = write_teacher_probs(tmp_path / "teacher.npz", examples, favor, ["against", "neutral", "favor"],
                                      "a favor teacher")
        cfg.trainer.distill_from, cfg.trainer.distill_weight = str(teacher), weight
        metrics = train(cfg)
        assert metrics["train"]["teacher_scored"] == "48 of 48"  # 9 distinct inputs, every pair has one
        dev = load_source({"format": "newsmtsc", "path": str(tmp_path / str(weight) / "dev.jsonl")})
        favor_share[weight] = predict_proba(load_classifier(tmp_path / str(weight) / "model"), dev).probs[:, 2].mean()
    assert favor_share[1.0] > 0.9 > favor_share[0.0] + 0.3, favor_share
    assert "Distilled: the stance target is 0 x the gold label + 1 x the teacher's" in (
        tmp_path / "1.0" / "model" / "README.md").read_text()
