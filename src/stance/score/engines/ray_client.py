"""`engine=ray ray.address=ray://HOST:PORT`: a run sent to a cluster through Ray Client.

Ray Data does not run over Ray Client (ray-project/ray#48682), so the client sends the whole run to the
cluster as one task on its head node, the workaround Ray's maintainers give (ray-project/ray#41333). There it
runs as `ray.address=auto` does on the head node: same engine, same outputs, same resume. What travels:
the resolved config (with `actors_file` already merged on the client), the model directory (through the
object store, unpacked once per content on the head) and this package's code (`py_modules`, so the cluster
runs the client's version; its dependencies must be installed on the nodes). `input` and `output` are
paths on the head node, as with `ray job submit`. The run's lines are printed when it ends.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import sys
import tempfile
import warnings
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from omegaconf import DictConfig, OmegaConf, open_dict

import stance
from stance.analyse.actor_files import apply_actor_files
from stance.score.engines.local import check_model_dir
from stance.score.engines.ray_cluster import (
    RayUnavailable,
    check_num_cpus,
    check_reachable,
    first_line,
    import_ray,
)
from stance.score.engines.ray_engine import worker_error
from stance.score.engines.ray_stages import pack_model

CLIENT_HINT = "pip install -e '.[ray]' (Ray Client needs ray[client])"


def check_client_options(cfg: DictConfig) -> None:
    """RayUnavailable (ScoreError for the model directory) for what cannot work over Ray Client, before
    anything connects or is written."""
    address = cfg.ray.address
    check_num_cpus(address, cfg.ray.num_cpus)
    for key in ("input", "output"):
        value = str(cfg[key])
        if value == "-" or not Path(value).is_absolute():
            raise RayUnavailable(f"ray.address={address}: {key}={value}: give an absolute path on the cluster's "
                                 "head node (the run goes there as a task; standard input does not travel)")
    check_model_dir(cfg.model_dir)
    try:
        import grpc  # noqa: F401  (Ray Client's transport: the ray[client] extra)
    except ImportError as error:
        raise RayUnavailable(f"ray.address={address}: Ray Client needs grpcio ({CLIENT_HINT}): {error}") from error


def run_over_client(cfg: DictConfig) -> int:
    """Send the run to the cluster, print its lines here; returns its exit code. RayUnavailable when the
    cluster cannot be reached or joined."""
    ray = import_ray()
    check_client_options(cfg)
    address = str(cfg.ray.address)
    check_reachable(address, cfg.ray.connect_timeout_s)
    apply_actor_files(cfg)  # the client's files, read here: the head node need not have them
    config = OmegaConf.to_container(cfg, resolve=True)
    model = pack_model(cfg.model_dir)
    package = str(Path(stance.__file__).parent)
    try:
        with warnings.catch_warnings():  # a timeout is also a UserWarning: said once, in the error below
            warnings.simplefilter("ignore", UserWarning)
            ray.init(address=address, runtime_env={"py_modules": [package]}, logging_level=logging.ERROR,
                     log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as error:
        hint = "" if os.environ.get("RAY_AUTH_MODE") else (" (a cluster with token authentication also needs "
                                                            "RAY_AUTH_MODE=token and its token here)")
        raise RayUnavailable(f"ray.address={address}: cannot connect: {first_line(error)}{hint}") from error
    try:
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        head = next(node["NodeID"] for node in ray.nodes() if node["Alive"] and is_head(node))
        task = ray.remote(run_on_head).options(
            num_cpus=0, max_retries=0, scheduling_strategy=NodeAffinitySchedulingStrategy(head, soft=False))
        run = task.remote(config, ray.put(model))
        try:
            code, out, err = ray.get(run)
        except KeyboardInterrupt:
            ray.cancel(run, force=True)
            print(f"interrupted: the run on the cluster was stopped; the same command resumes it ({cfg.output} "
                  "on the head node)", file=sys.stderr)
            return 130
        except ray.exceptions.RayError as error:
            raise RayUnavailable(f"ray.address={address}: the run failed on the cluster: {worker_error(error)}") \
                from error
    finally:
        ray.shutdown()
    print(out, end="")
    print(err, end="", file=sys.stderr)
    return code


def is_head(node: dict) -> bool:
    return "node:__internal_head__" in node.get("Resources", {})


def run_on_head(config: dict, model: dict[str, bytes]) -> tuple[int, str, str]:
    """The run on the head node (a Ray task): the command's own code, its lines captured for the client."""
    from stance.score.command import score_and_report

    cfg = OmegaConf.create(config)
    with open_dict(cfg):
        cfg.model_dir = unpack_model(model)
        cfg.ray.address = "auto"  # the cluster this task runs on
        cfg.progress = False
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = score_and_report(cfg, merge_actor_files=False)  # merged on the client
    return code, out.getvalue(), err.getvalue()


def unpack_model(model: dict[str, bytes]) -> str:
    """The shipped model directory, written once per content under the head's temp directory, so a rerun of
    the same model finds the same path (and resumes)."""
    digest = hashlib.sha1()
    for name, data in sorted(model.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha1(data).digest())
    root = Path(tempfile.gettempdir()) / "stance-models" / digest.hexdigest()[:16]
    complete = root.with_name(root.name + ".complete")  # beside it: written last, after every file
    if not complete.is_file():
        for name, data in model.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        complete.write_text("", encoding="utf-8")
    return str(root)
