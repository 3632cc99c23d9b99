"""Honest logs and pins: the tokenizer's misleading length notice never fires (encode_pair windows long pairs
itself), a transformers LOAD REPORT about the unused pooler alone is dropped while any other one shows, and
the transformers pin matches the API the code relies on."""
import logging
import re
from importlib.metadata import version

from stance.config import REPO_ROOT
from stance.quiet import PoolerOnlyLoadReport
from stance.types import Span


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_a_long_pair_raises_no_sequence_length_notice(tiny_backbone_dir):
    from transformers import AutoTokenizer

    from stance.model.encoding import encode_pair

    collect = Collect()  # on transformers' own logger: it does not propagate to the root (caplog)
    logging.getLogger("transformers").addHandler(collect)
    try:
        tokenizer = AutoTokenizer.from_pretrained(tiny_backbone_dir)
        encoded = encode_pair(tokenizer, "Putin " + "spoke at length " * 300, [Span(0, 5)], 128)
        assert encoded.windowed and len(encoded.input_ids) <= 128
        assert not [m for m in collect.messages if "sequence length" in m]
        tokenizer("spoke at length " * 300)  # what encode_pair avoids: the notice, seen by this handler
        assert [m for m in collect.messages if "sequence length" in m]
    finally:
        logging.getLogger("transformers").removeHandler(collect)


def record(message):
    return logging.LogRecord("transformers.modeling_utils", logging.WARNING, __file__, 1, message, None, None)


def test_only_a_pooler_only_load_report_is_dropped():
    table = "Key | Status |\n----+----+-\n{}\n\nNotes:\n- MISSING: newly initialized"
    pooler = "\n".join(f"pooler.dense.{p}   | MISSING | " for p in ("bias", "weight"))
    other = pooler + "\nembeddings.LayerNorm.weight | MISSING | "
    keep = PoolerOnlyLoadReport().filter
    assert not keep(record("\x1b[1mBertModel LOAD REPORT\x1b[0m from: x\n" + table.format(pooler)))
    assert keep(record("\x1b[1mBertModel LOAD REPORT\x1b[0m from: x\n" + table.format(other)))
    assert keep(record("something else entirely"))


def test_transformers_pin_matches_the_warmup_api_used():
    """Training passes warmup_steps=<ratio below 1>: a ratio only from transformers 5.0 on (before: 0 steps)."""
    from transformers import TrainingArguments

    (pin,) = re.findall(r'"(transformers[^"]*)"', (REPO_ROOT / "pyproject.toml").read_text())
    lower = re.search(r">=\s*(\d+)", pin)
    assert lower and int(lower.group(1)) >= 5, pin
    assert int(version("transformers").split(".")[0]) >= 5
    assert TrainingArguments(output_dir="unused", warmup_steps=0.06, report_to=[]).get_warmup_steps(100) == 6
