"""The teacher's probabilities file and how training pairs find theirs (stance.train.distill)."""
import numpy as np
import pytest
import torch

from stance.model.encoding import collate
from stance.train.distill import pair_key, read_teacher_probs, write_teacher_probs
from stance.types import PairExample, Span

LABELS = ["against", "neutral", "favor"]


def test_the_key_is_the_input_not_the_label():
    a = PairExample(text="Putin lies.", spans=[Span(0, 5)], label="against")
    assert pair_key(a) == pair_key(PairExample(text="Putin lies.", spans=[Span(0, 5)], label="favor"))
    assert pair_key(a) != pair_key(PairExample(text="Putin lies.", spans=[Span(6, 10)], label="against"))
    assert pair_key(a) != pair_key(PairExample(text="Putin lies!", spans=[Span(0, 5)], label="against"))


def test_teacher_probs_round_trip_and_refuse_another_label_order(tmp_path):
    examples = [PairExample(text=f"Text {i} about Putin.", spans=[Span(14, 19)], label="against") for i in range(3)]
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]], dtype=np.float32)
    path = write_teacher_probs(tmp_path / "teacher.npz", examples, probs, LABELS, "models/large")
    table = read_teacher_probs(path, LABELS)
    assert len(table) == 3
    np.testing.assert_allclose(table[pair_key(examples[1])], probs[1])
    with pytest.raises(ValueError, match="not the model's"):
        read_teacher_probs(path, ["favor", "neutral", "against"])


def test_collate_carries_the_teacher_probabilities():
    items = [{"input_ids": [1, 2, 3], "token_type_ids": [0, 0, 0], "marker_index": 1, "labels": 0,
              "teacher_probs": [0.5, 0.25, 0.25]},
             {"input_ids": [1, 2], "token_type_ids": [0, 0], "marker_index": 1, "labels": 2,
              "teacher_probs": [float("nan")] * 3}]
    batch = collate(items, 0)
    assert batch["teacher_probs"].shape == (2, 3) and batch["teacher_probs"].dtype == torch.float32
    assert torch.isnan(batch["teacher_probs"][1]).all()
