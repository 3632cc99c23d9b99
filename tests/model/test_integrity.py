"""Model integrity: stance_model.json records the SHA-256 of every file loading reads; a missing, truncated
or altered file is refused with one line; older directories load with one warning; weights load only from
safetensors, and nothing in the package unpickles or runs remote code."""
import json
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stance.backbones import BACKBONES
from stance.model.classifier import WEIGHTS_FILE, check_removed_options, inference_backbone, load_classifier
from stance.model.integrity import IntegrityError, verify_model_files

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def model_copy(tmp_path, tiny_model_dir):
    return shutil.copytree(tiny_model_dir, tmp_path / "model")


def test_saved_model_records_a_digest_of_every_file_it_loads(model_copy):
    files = json.loads((model_copy / "stance_model.json").read_text())["files"]
    assert WEIGHTS_FILE in files and "tokenizer.json" in files
    for name, recorded in files.items():
        assert re.fullmatch(r"[0-9a-f]{64}", recorded["sha256"])
        assert recorded["bytes"] == (model_copy / name).stat().st_size


MODELS = SRC.parent / "models"
SHIPPED = sorted(p.parent.name for p in MODELS.glob("*/stance_model.json"))


def shipped_meta(name: str) -> dict:
    return json.loads((MODELS / name / "stance_model.json").read_text())


def test_the_shipped_models_record_their_digests_and_their_files_match():
    assert {"default", "large", "real-v1", "mix-v1", "newsmtsc-v1"} <= set(SHIPPED)
    for name in SHIPPED:
        meta = shipped_meta(name)
        assert WEIGHTS_FILE in meta["files"]
        verify_model_files(MODELS / name, meta)  # raises IntegrityError on a file that differs


def test_the_large_model_names_the_pinned_mpnet_backbone():
    backbone = shipped_meta("large")["backbone"]
    assert backbone["model_type"] == "mpnet" and backbone["hidden_size"] == 768
    assert backbone["weights_sha256"] == BACKBONES["mpnet"].weights_sha256


@pytest.mark.parametrize("damage", ["missing", "truncated", "altered"])
def test_a_damaged_file_is_refused_with_one_line(model_copy, damage):
    weights = model_copy / WEIGHTS_FILE
    data = weights.read_bytes()
    if damage == "missing":
        weights.unlink()
    elif damage == "truncated":
        weights.write_bytes(data[: len(data) // 2])
    else:
        weights.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # same size, one bit flipped
    expected = {"missing": "missing (recorded in stance_model.json)", "truncated": "(truncated)",
                "altered": "SHA-256 differs from the one recorded in stance_model.json"}[damage]
    with pytest.raises(IntegrityError) as caught:
        load_classifier(model_copy)
    message = str(caught.value)
    assert message.startswith(f"{weights}: ") and expected in message and "\n" not in message


def test_a_directory_without_digests_loads_with_one_warning(model_copy, caplog):
    meta_path = model_copy / "stance_model.json"
    meta = json.loads(meta_path.read_text())
    meta.pop("files")
    meta_path.write_text(json.dumps(meta))
    with caplog.at_level(logging.WARNING, logger="stance.model"):
        load_classifier(model_copy)
    (record,) = [r for r in caplog.records if r.name == "stance.model"]
    assert "records no file digests" in record.getMessage() and "\n" not in record.getMessage()


def test_the_score_command_refuses_an_altered_model_in_one_line(model_copy, tmp_path):
    weights = model_copy / WEIGHTS_FILE
    data = weights.read_bytes()
    weights.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    result = subprocess.run([sys.executable, "-m", "stance.score", "input=-", f"model_dir={model_copy}",
                             f"output={tmp_path / 'out'}", "progress=false"], input="Putin lost.",
                            capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: {model_copy}: cannot load the model: {weights}: SHA-256 differs from the one recorded in "
        "stance_model.json (altered); restore it or retrain the model")


def test_a_backbone_with_pickled_weights_only_is_refused(tiny_backbone_dir, tmp_path):
    """A checkpoint holding only pytorch_model.bin (a pickle) is not unpickled: safetensors or nothing."""
    import torch
    from safetensors.torch import load_file

    pickled = shutil.copytree(tiny_backbone_dir, tmp_path / "pickled_bert")
    torch.save(load_file(str(pickled / "model.safetensors")), pickled / "pytorch_model.bin")
    (pickled / "model.safetensors").unlink()
    with pytest.raises(OSError, match="safetensors"):
        inference_backbone(str(pickled))


def test_no_unpickling_of_files_and_no_remote_code_in_the_package():
    """No file is unpickled (pickle.load, joblib, torch.load without weights_only, np.load with pickles);
    pickle.loads of bytes the same run made (the Ray engine's hand-over between its stages) reads no file."""
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "trust_remote_code=True" not in text, path
        assert not re.search(r"pickle\.load\(|joblib\.load\(|Unpickler\(", text), path
        for call in re.findall(r"torch\.load\([^)]*\)", text):
            assert "weights_only=True" in call, (path, call)
        assert "allow_pickle=True" not in text, path


def test_a_model_directory_names_its_backbone_and_loads_only_with_it(model_copy, tiny_backbone_dir,
                                                                     wide_backbone_dir):
    """The record names the architecture and the weights' SHA-256; the same BERT shape with other weights
    (the wide BERT) under the model's backbone name is refused in one line."""
    from stance.model.integrity import sha256

    meta_path = model_copy / "stance_model.json"
    meta = json.loads(meta_path.read_text())
    assert meta["backbone"] == {"model_type": "bert", "hidden_size": 32, "num_hidden_layers": 2,
                                "vocab_size": meta["backbone"]["vocab_size"],
                                "weights_sha256": sha256(Path(tiny_backbone_dir) / "model.safetensors")}
    load_classifier(model_copy)
    meta["model_cfg"]["backbone"] = wide_backbone_dir
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(IntegrityError) as caught:
        load_classifier(model_copy)
    message = str(caught.value)
    assert message.startswith(f"{model_copy}: backbone {wide_backbone_dir} ") and "\n" not in message
    assert "is not the one this model was trained on: weights_sha256" in message


def test_a_directory_saved_before_the_backbone_record_loads(model_copy):
    meta_path = model_copy / "stance_model.json"
    meta = json.loads(meta_path.read_text())
    meta.pop("backbone")
    meta_path.write_text(json.dumps(meta))
    load_classifier(model_copy)


@pytest.mark.parametrize("option, value, kept", [("context", "previous", "none"), ("encoding", "marked_pair", "marked"),
                                                  ("pooling", "mean", "cls_marker")])
def test_a_model_saved_with_a_removed_option_is_refused_with_one_line(model_copy, option, value, kept):
    meta_path = model_copy / "stance_model.json"
    meta = json.loads(meta_path.read_text())
    meta["model_cfg"][option] = value
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ValueError) as caught:
        load_classifier(model_copy)
    assert str(caught.value) == (f"{model_copy}: saved with model.{option}={value}, an option since removed (only "
                                 f"{option}={kept} is read); retrain it")


def test_the_shipped_models_name_no_removed_option():
    for name in SHIPPED:
        check_removed_options(shipped_meta(name)["model_cfg"], name)
