"""What the scoring tests share (importable as `scoring`: pyproject's pytest `pythonpath`): a four-document
corpus, three given pairs (one with a mention outside its text), and a run of the score command."""
import json
from pathlib import Path

from stance.config import compose
from stance.score import run_score

DOCS = {
    "a": "Putin failed badly in Ukraine. Aliyev met Erdogan in Ankara on Tuesday.",
    "b": "The Kremlin lost the war. Russia and Azerbaijan are rivals now.",
    "c": "Erdogan wants to push Russia out of the Caucasus.",
    "d": "Rain fell all day. The Taliban met officials from India.",
}
GIVEN_PAIRS = [
    {"id": "n1", "text": "Putin met Aliyev.", "mentions": [{"start": 10, "end": 16}], "actor": "Azerbaijan"},
    {"id": "n2", "text": "He said Putin lied to him.", "mentions": [{"start": 8, "end": 13}, {"start": 22, "end": 25}]},
    {"id": "n3", "text": "Short.", "mentions": [{"start": 2, "end": 40}]},
]


def score(tmp_path, model_dir, *overrides, out="out"):
    """`run_score` into `tmp_path / out`; float32 unless asked otherwise: bf16 scores move in the 3rd decimal
    with batch composition, and the tests compare rows exactly across batch sizes and resumed runs."""
    precision = [] if any(o.startswith("bf16=") for o in overrides) else ["bf16=false"]
    cfg = compose("score", [f"model_dir={model_dir}", f"output={tmp_path / out}", "progress=false", "threads=1",
                            *precision, *overrides])
    return run_score(cfg), tmp_path / out


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def read_jsonl(path):
    """Rows of a JSONL file, split on "\n" only (a U+2028 inside a JSON string is not a line end)."""
    return [json.loads(line) for line in Path(path).read_bytes().split(b"\n") if line.strip()]
