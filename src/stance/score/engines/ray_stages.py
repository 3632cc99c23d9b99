"""What runs on the Ray workers of `engine=ray`: the claims/actors task and the model actor.

Both run `StancePipeline`'s own stages (`analyse_documents`, `StancePipeline.score_analysed`), so the Ray
engine computes exactly what the local engine does. Blocks are Arrow tables with one row per document;
the `Document` and each stage's output travel pickled (every process runs the same code). Imported only
by `stance.score.engines.ray_engine`, i.e. only with engine=ray.
"""
from __future__ import annotations

import pickle
import resource
import shutil
import tempfile
import time
from pathlib import Path

import pyarrow as pa

_ANALYSERS: dict[str, object] = {}  # per worker process: spaCy is loaded once, not once per task


def pack_model(model_dir: str | Path) -> dict[str, bytes]:
    """Every file of a model directory by relative path, to ship through Ray's object store: the actors
    load the model the driver sees, wherever they run (no shared file system needed)."""
    root = Path(model_dir)
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def analyse_block(block: pa.Table, key: str, config: list) -> pa.Table:
    """Claims and actors of a block's documents (a Ray task: CPU-bound spaCy and rules); `config` holds the
    reference to [segment, actors], read once per worker process (`key`: their hash)."""
    from stance.quiet import quiet_library_notices
    from stance.score.pipeline import analyse_documents

    if key not in _ANALYSERS:
        import ray

        from stance.analyse import DocumentAnalyser

        quiet_library_notices()
        segment, actors = ray.get(config[0])
        _ANALYSERS[key] = DocumentAnalyser.from_config(segment, actors)
    docs = [pickle.loads(raw) for raw in block.column("document").to_pylist()]
    started = time.perf_counter()
    analysed = analyse_documents(_ANALYSERS[key], [(d.doc_id, d.text, d.given) for d in docs])
    seconds = time.perf_counter() - started
    return pa.table({"document": block.column("document"),
                     "analysed": pa.array([pickle.dumps(a) for a in analysed], pa.binary()),
                     "analysis_seconds": pa.array([seconds] + [0.0] * (len(docs) - 1), pa.float64()),
                     "analysis_rss_mb": pa.array([peak_rss_mb()] * len(docs), pa.float64())})


class ModelActor:
    """One model in memory, loaded once per actor from the shipped model directory; scores analysed blocks.
    `model` and `settings` are object references in lists (Ray passes them unresolved, so they stay small)."""

    def __init__(self, model: list, settings: list):
        import ray
        import torch

        from stance.quiet import quiet_library_notices
        from stance.score.pipeline import StancePipeline

        quiet_library_notices()
        settings = ray.get(settings[0])
        torch.set_num_threads(settings["threads"])
        local = Path(tempfile.mkdtemp(prefix="stance-model-"))
        try:
            for name, data in ray.get(model[0]).items():
                (local / name).parent.mkdir(parents=True, exist_ok=True)
                (local / name).write_bytes(data)
            self.pipe = StancePipeline.load(local, settings["actors"], settings["segment"],
                                            batch_size=settings["batch_size"], bf16=settings["bf16"],
                                            threads=settings["threads"], analyser=False)
        finally:
            shutil.rmtree(local, ignore_errors=True)  # everything is in memory once loaded

    def __call__(self, block: pa.Table) -> pa.Table:
        analysed = [pickle.loads(raw) for raw in block.column("analysed").to_pylist()]
        started = time.perf_counter()
        results = self.pipe.score_analysed(analysed)
        seconds = time.perf_counter() - started
        return pa.table({"document": block.column("document"),
                         "result": pa.array([pickle.dumps(r) for r in results], pa.binary()),
                         "analysis_seconds": block.column("analysis_seconds"),
                         "analysis_rss_mb": block.column("analysis_rss_mb"),
                         "model_seconds": pa.array([seconds] + [0.0] * (len(results) - 1), pa.float64()),
                         "actor_rss_mb": pa.array([peak_rss_mb()] * len(results), pa.float64())})
