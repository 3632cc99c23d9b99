"""Reading the input of `python -m stance.score`: documents from a .txt file, a directory of them, JSONL, CSV,
Parquet, stdin, or given pairs (`readers`; Parquet in `parquet`), each bad record a problem in its place
(`records`: the document, the problem and the checks of a record, shared by every reader)."""
from stance.score.inputs.readers import read_inputs, resolve_format
from stance.score.inputs.records import Document, InputProblem, InputSpec

__all__ = ["Document", "InputProblem", "InputSpec", "read_inputs", "resolve_format"]
