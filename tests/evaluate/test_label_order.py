"""Two models whose labels come in different orders are compared in one order: every model's probabilities
are reordered to the first model's labels before anything is reported. A clear line when the shared data
the default sets need is missing."""
import json
import shutil

import numpy as np
import pytest
from safetensors.torch import load_file, save_file

from stance.config import compose
from stance.data.sources import DataError
from stance.evaluate.run import load_models, run_evaluate
from stance.model.integrity import FILES_KEY, record_digests
from stance.types import PairExample, Span


def reordered_copy(model_dir, target, order):
    """The same model with its labels (and head rows) in `order`: it computes the same thing."""
    out = shutil.copytree(model_dir, target)
    meta = json.loads((out / "stance_model.json").read_text())
    old = meta["labels"]
    rows = [old.index(label) for label in order]
    state = load_file(str(out / "trained_weights.safetensors"))
    for name in ("head.weight", "head.bias"):
        state[name] = state[name][rows].contiguous()
    save_file(state, str(out / "trained_weights.safetensors"))
    meta.update(labels=order, id2label=dict(enumerate(order)), label2id={l: i for i, l in enumerate(order)})
    meta["model_cfg"]["labels"] = order
    meta = record_digests(out, {k: v for k, v in meta.items() if k != FILES_KEY})
    (out / "stance_model.json").write_text(json.dumps(meta))
    return out


def test_probabilities_are_reported_in_the_first_models_label_order(tmp_path, tiny_model_dir):
    second = reordered_copy(tiny_model_dir, tmp_path / "reversed", ["favor", "neutral", "against"])
    cfg = compose("evaluate", [f"model_dir=[{tiny_model_dir},{second}]", f"output={tmp_path / 'out'}"])
    first_model, other = load_models(cfg)
    assert other.loaded.labels == ["favor", "neutral", "against"] and other.labels == first_model.labels
    examples = [PairExample("Putin failed badly in Ukraine.", [Span(0, 5)]),
                PairExample("Aliyev met Erdogan in Ankara.", [Span(0, 6)]),
                PairExample("The Kremlin won praise for once.", [Span(4, 11)])]
    a, b = first_model.predict(examples), other.predict(examples)
    assert not np.allclose(a.probs[:, 0], a.probs[:, 2], atol=1e-3)  # swapped columns would show
    np.testing.assert_allclose(b.probs, a.probs, atol=1e-5)
    assert b.labels == a.labels


def test_evaluating_without_shared_data_is_one_line(tmp_path, tiny_model_dir):
    (tmp_path / "empty").mkdir()
    cfg = compose("evaluate", [f"paths.shared={tmp_path / 'empty'}", f"model_dir={tiny_model_dir}",
                               f"output={tmp_path / 'out'}"])
    with pytest.raises(DataError) as caught:
        run_evaluate(cfg)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{tmp_path / 'empty'}/seed/commentary-01.txt: not found (and ")
    assert "paths.shared=/path/to/shared" in problem and not (tmp_path / "out").exists()
