"""`engine=ray`: the same scoring on Ray Data, locally or on an existing cluster.

    driver: read + check the input (the local engine's readers: same problems, same resume filter), a window
        of `ray.window_documents` at a time -> blocks of `ray.batch_size` documents in Ray's object store
    Ray Data: claims and actors as tasks (`analyse_block`, `ray.analysis_cpus` each)
        -> the model in a pool of `ray.num_model_actors` actors (`ModelActor`, `ray.threads_per_actor`
           torch threads each, the model directory shipped to them and loaded once per actor)
    driver: each finished block written as the local engine writes a batch (`local.finish_batch`):
        rows, then done lines, so a rerun scores only the documents not done (stance.score.outputs.store, .shards)

Results arrive in completion order, not input order; rows, problems and files are otherwise the local
engine's. `RayEngine` stands where the local engine's `StancePipeline` stands in `stance.score.command`.
"""
from __future__ import annotations

import hashlib
import json
import logging
import pickle
import re
import sys
import time
from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from tqdm.auto import tqdm

from stance.score.engines.local import ScoreError, batches, finish_batch, pending_batches
from stance.score.engines.ray_cluster import (
    RayUnavailable,
    check_options,
    check_reachable,
    connect,
    first_line,
    import_ray,
    without_false_alarm,
)

LOGS = "/tmp/ray/session_latest/logs on the head node"
ANALYSIS_MEMORY_MB = 768  # reserved per claims/actors task: a worker with spaCy loaded peaked at 573 MB


class RayEngine:
    """Precision, threads and busy seconds as `StancePipeline` has them, and `score_documents`."""

    def __init__(self, cfg: DictConfig):
        from stance.model.classifier import load_classifier, native_bf16

        import_ray()  # before anything is written: a missing extra or an impossible setting is one line
        settings = cfg.ray
        for key in ("num_model_actors", "threads_per_actor", "analysis_cpus", "batch_size", "window_documents"):
            if settings[key] < 1:
                raise ValueError(f"ray.{key}={settings[key]}: expected a positive number")
        check_options(cfg.ray.address, cfg.ray.num_cpus)
        if cfg.ray.address is not None:  # an unreachable cluster is said before the model loads
            check_reachable(cfg.ray.address, cfg.ray.connect_timeout_s)
        try:  # here too, so that a model that cannot load is the local engine's one line, not a dead actor
            load_classifier(cfg.model_dir)
        except Exception as error:
            raise ScoreError(f"{cfg.model_dir}: cannot load the model: {first_line(error)}") from error
        # Resolved here, once, so every actor computes alike whatever CPU it lands on.
        self.bf16 = native_bf16() if cfg.bf16 is None else bool(cfg.bf16)
        self.precision = "bf16" if self.bf16 else "float32"
        self.threads = settings.threads_per_actor
        self.seconds = {"analysis": 0.0, "model": 0.0}
        self.info: dict = {}  # summary.json this_run.ray

    def score_documents(self, store, cfg: DictConfig, documents=None) -> tuple[int, int]:
        """Score every input document not done yet; returns (documents scored, pairs scored) by this run."""
        started = time.perf_counter()
        started_here = connect(cfg.ray.address, cfg.ray.num_cpus, cfg.ray.connect_timeout_s)
        try:
            with without_false_alarm():
                return self._score(store, cfg, documents, started)
        finally:
            if started_here:
                import ray

                ray.shutdown()

    def _score(self, store, cfg: DictConfig, documents, started: float) -> tuple[int, int]:
        import pyarrow as pa
        import ray

        from stance.score.engines.ray_stages import pack_model

        settings = cfg.ray
        self.info = {"address": settings.address, "start_seconds": round(time.perf_counter() - started, 2),
                     "cluster_cpus": ray.cluster_resources().get("CPU", 0),
                     "num_model_actors": settings.num_model_actors, "threads_per_actor": settings.threads_per_actor,
                     "analysis_cpus": settings.analysis_cpus, "batch_size": settings.batch_size}
        self._check_cpus(settings)
        bar = tqdm(desc="documents", unit="doc", delay=2.0, disable=not cfg.progress)
        todo = pending_batches(store, cfg, bar, size=settings.batch_size)
        per_window = max(1, settings.window_documents // settings.batch_size)  # blocks per window
        model_ref, scored_docs, scored_pairs, windows = None, 0, 0, 0
        self.info["driver_seconds"] = 0.0  # the driver's own work per block (unpickling, rows, writing)
        for window in batches(todo, per_window):
            blocks = [ray.put(pa.table({"document": pa.array([pickle.dumps(d) for d in batch], pa.binary())}))
                      for batch in window]
            if not windows:  # reading the first window (all of a corpus below window_documents)
                self.info["read_seconds"] = round(time.perf_counter() - started - self.info["start_seconds"], 2)
            model_ref = model_ref or ray.put(pack_model(cfg.model_dir))
            docs, pairs = self._score_window(store, cfg, documents, self._pipeline(cfg, blocks, model_ref), bar,
                                             started)
            scored_docs, scored_pairs, windows = scored_docs + docs, scored_pairs + pairs, windows + 1
        self.info["windows"] = windows
        bar.close()
        return scored_docs, scored_pairs

    def _score_window(self, store, cfg: DictConfig, documents, dataset, bar, started: float) -> tuple[int, int]:
        """Write each block of one window as it finishes; returns (documents, pairs) scored."""
        import pyarrow.compute as pc

        scored_docs = scored_pairs = 0
        for block in _results(dataset, cfg.model_dir):
            block_started = time.perf_counter()
            self.info.setdefault("first_block_seconds", round(block_started - started, 2))
            scored = [(pickle.loads(d), pickle.loads(r))
                      for d, r in zip(block.column("document").to_pylist(), block.column("result").to_pylist())]
            docs, pairs = finish_batch(store, documents, scored)
            scored_docs, scored_pairs = scored_docs + docs, scored_pairs + pairs
            self.info["driver_seconds"] = round(self.info["driver_seconds"] + time.perf_counter() - block_started, 3)
            self.seconds["analysis"] += pc.sum(block.column("analysis_seconds")).as_py()
            self.seconds["model"] += pc.sum(block.column("model_seconds")).as_py()
            for column in ("actor_rss_mb", "analysis_rss_mb"):
                self.info[f"peak_{column}"] = round(max(self.info.get(f"peak_{column}", 0.0),
                                                        pc.max(block.column(column)).as_py()), 1)
            bar.update(len(scored))
        return scored_docs, scored_pairs

    def _check_cpus(self, settings: DictConfig) -> None:
        """The actors and at least one claims/actors task must fit, or Ray Data waits for ever: an error on a
        local Ray, a note on a cluster (an autoscaler may add nodes)."""
        need = settings.num_model_actors * settings.threads_per_actor + settings.analysis_cpus
        have = self.info["cluster_cpus"]
        if need <= have:
            return
        message = (f"ray: {settings.num_model_actors} model actors x {settings.threads_per_actor} threads + "
                   f"{settings.analysis_cpus} CPU for claims/actors tasks need {need} CPUs; the cluster has {have:g}")
        if settings.address is None:
            raise RayUnavailable(message + " (lower ray.num_model_actors or ray.threads_per_actor)")
        print(f"note: {message}; waiting for the cluster to grow", file=sys.stderr)

    def _pipeline(self, cfg: DictConfig, blocks: list, model_ref):
        """Blocks -> claims/actors tasks -> model actor pool, lazily (Ray Data streams it when iterated)."""
        import ray

        from stance.score.engines.ray_stages import ModelActor, analyse_block

        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # the command's own bar counts documents
        context.print_on_execution_start = False
        for handler in logging.getLogger("ray.data").handlers:  # plans, timings, tracebacks: to its log file only
            if not isinstance(handler, logging.FileHandler):
                handler.setLevel(logging.CRITICAL)
        segment = OmegaConf.to_container(cfg.segment, resolve=True)
        actors = OmegaConf.to_container(cfg.actors, resolve=True)
        key = hashlib.sha1(json.dumps([segment, actors], sort_keys=True).encode()).hexdigest()
        settings = {"segment": segment, "actors": actors, "batch_size": cfg.batch_size, "bf16": self.bf16,
                    "threads": cfg.ray.threads_per_actor}
        # Arguments travel as object references in lists (Ray hands them over unresolved), so they stay small.
        # The tasks' memory reservation also keeps Ray Data from fusing them into the actors (fused, spaCy
        # would run inside the model actors, in turn with the model).
        return (ray.data.from_arrow_refs(blocks)
                .map_batches(analyse_block, batch_size=None, batch_format="pyarrow", num_cpus=cfg.ray.analysis_cpus,
                             memory=ANALYSIS_MEMORY_MB * 2**20,
                             fn_kwargs={"key": key, "config": [ray.put([segment, actors])]})
                .map_batches(ModelActor, batch_size=None, batch_format="pyarrow",
                             compute=ray.data.ActorPoolStrategy(size=cfg.ray.num_model_actors),
                             num_cpus=cfg.ray.threads_per_actor,
                             fn_constructor_kwargs={"model": [model_ref], "settings": [ray.put(settings)]}))


def _results(dataset, model_dir: str):
    """The dataset's blocks as they finish; a failure inside Ray (a model that does not load in an actor, a
    worker that died) is one line: the worker's own exception, which Ray puts last in its message."""
    try:
        yield from dataset.iter_batches(batch_size=None, batch_format="pyarrow")
    except Exception as error:
        where = f"{Path(model_dir)}: cannot load the model in a Ray actor" if "ModelActor" in str(error) else "ray"
        raise ScoreError(f"{where}: {worker_error(error)} (Ray's logs: {LOGS})") from error


def worker_error(error: BaseException) -> str:
    """The last line of the longest message in the exception's chain, without the exception's module path."""
    texts, seen = [], error
    while seen is not None and len(texts) < 10:
        texts.append(str(seen))
        seen = seen.__cause__ or seen.__context__
    lines = [line.strip() for line in max(texts, key=len).splitlines() if line.strip()]
    return re.sub(r"^(?:\w+\.)+(\w+:)", r"\1", lines[-1]) if lines else type(error).__name__
