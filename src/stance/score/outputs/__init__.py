"""Writing the files of a scoring run, safe from interruption: pairs.jsonl, done.jsonl, errors.jsonl, run.json,
actors.csv, summary.json (`store`), Parquet shards (`shards`), documents.jsonl (`documents`), pairs.csv
(`tables`), actors_over_time.csv (`over_time`), and the lock that keeps one run per directory (`lock`)."""
from stance.score.outputs.lock import OutputLock
from stance.score.outputs.shards import open_store, read_pairs
from stance.score.outputs.store import ResultStore, read_rows

__all__ = ["OutputLock", "ResultStore", "open_store", "read_pairs", "read_rows"]
