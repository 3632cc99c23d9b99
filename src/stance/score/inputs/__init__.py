"""Reading the input of `python -m stance.score`: documents from a .txt file, a directory of them, JSONL, CSV,
Parquet, stdin, or given pairs (`readers`; Parquet in `parquet`), each bad record a problem in its place."""
from stance.score.inputs.readers import Document, InputProblem, InputSpec, read_inputs, resolve_format

__all__ = ["Document", "InputProblem", "InputSpec", "read_inputs", "resolve_format"]
