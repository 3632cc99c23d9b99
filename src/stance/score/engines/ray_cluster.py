"""Connecting `engine=ray` to Ray: a local Ray started for the run (`ray.address: null`) or an existing
cluster (`auto`: the one `ray start` recorded on this machine, or `HOST:PORT`, its head's GCS address). A
cluster that cannot be reached is one line (`RayUnavailable`), found with a plain TCP connect first: Ray
itself retries an unreachable HOST:PORT indefinitely. Ray Data does not run over Ray Client (its maintainers'
answer in ray-project/ray#48682; tried here with Ray 2.60: "'Worker' object has no attribute 'core_worker'"),
so `ray://` never reaches this engine in-process: `python -m stance.score` sends such a run to the cluster as
a task (stance.score.engines.ray_client), and a direct call here is refused in one line.
"""
from __future__ import annotations

import logging
import os
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

INSTALL_HINT = "pip install -e '.[ray]'"
# Ray 2.60's core worker logs this false alarm for every Ray Data actor (ray-project/ray#57733).
FALSE_ALARM = b"has constructor arguments in the object store and max_restarts > 0"


def is_client_address(address: str | None) -> bool:
    """`ray://HOST:PORT`: a Ray Client server (the run then goes through stance.score.engines.ray_client)."""
    return address is not None and str(address).startswith("ray://")


class RayUnavailable(RuntimeError):
    """Ray is not installed, or the cluster cannot be reached: one line for the user."""


def import_ray():
    try:
        import ray
        import ray.data
    except ImportError as error:
        raise RayUnavailable(f"engine=ray needs Ray Data ({INSTALL_HINT}): {error}") from error
    return ray


def check_options(address: str | None, num_cpus: int | None) -> None:
    """RayUnavailable for settings that cannot work, before Ray is started or anything is written."""
    check_num_cpus(address, num_cpus)
    if is_client_address(address):
        raise RayUnavailable(f"ray.address={address}: Ray Data does not run over Ray Client (ray://) in this "
                             "process; `python -m stance.score engine=ray ray.address=ray://...` sends the run to "
                             "the cluster as a task, or use ray.address=auto or HEAD:6379 on a cluster node")


def check_num_cpus(address: str | None, num_cpus: int | None) -> None:
    if address is not None and num_cpus is not None:
        raise RayUnavailable(f"ray.num_cpus={num_cpus} applies to a local Ray only; an existing cluster "
                             f"(ray.address={address}) has the CPUs it was started with")


def connect(address: str | None, num_cpus: int | None, timeout_s: float) -> bool:
    """Start or join Ray; True when this call started a local Ray (the caller shuts it down). A Ray already
    initialised in this process (a notebook, the tests) is used as it is."""
    ray = import_ray()
    check_options(address, num_cpus)
    if ray.is_initialized():
        return False
    # Workers' output stays in Ray's log files: a worker's error reaches the command as an exception.
    options = {"logging_level": logging.ERROR, "include_dashboard": False, "log_to_driver": False}
    if address is None:  # "local": a new Ray, even where `ray start` left a cluster (or its address file)
        ray.init(address="local", num_cpus=num_cpus, **options)
        return True
    check_reachable(address, timeout_s)
    try:
        ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise RayUnavailable(f"ray.address={address}: cannot connect: {first_line(error)}") from error
    return False


def check_reachable(address: str, timeout_s: float) -> None:
    """RayUnavailable unless something listens at the address (`auto`: the cluster `ray start` recorded;
    `ray://HOST:PORT`: its Ray Client server)."""
    target = address.removeprefix("ray://")
    if address == "auto":
        from ray._private.services import canonicalize_bootstrap_address  # where ray.init itself looks

        try:
            target = canonicalize_bootstrap_address("auto")
        except (ConnectionError, ValueError) as error:
            raise RayUnavailable(f"ray.address=auto: no running Ray cluster found ({first_line(error)})") from error
        if target is None:
            raise RayUnavailable("ray.address=auto: no running Ray cluster found on this machine (start one with "
                                 "`ray start --head`, or give the head's ray.address=HOST:6379)")
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise RayUnavailable(f"ray.address={address}: expected auto, HOST:PORT (the head's GCS address) or "
                             "ray://HOST:PORT (its Ray Client server)")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as error:
        reason = "timed out" if isinstance(error, TimeoutError) else (error.strerror or str(error))
        raise RayUnavailable(f"ray.address={address}: cannot reach a Ray cluster at {host}:{port} ({reason})") from error


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@contextmanager
def without_false_alarm() -> Iterator[None]:
    """Drop Ray's `FALSE_ALARM` lines from this process's stderr, and nothing else. Ray's C++ core writes them
    to file descriptor 2 directly (each line in one write), so fd 2 goes through a pipe that a thread copies
    to the terminal as it comes, leaving out the lines that hold the false alarm."""
    sys.stderr.flush()
    terminal = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)

    def pump() -> None:
        while chunk := os.read(read_end, 1 << 16):
            kept = b"".join(line for line in chunk.splitlines(keepends=True) if FALSE_ALARM not in line)
            if kept:
                os.write(terminal, kept)
        os.close(read_end)

    thread = threading.Thread(target=pump, name="stance-stderr-filter", daemon=True)
    thread.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(terminal, 2)  # the pipe's last write end closes: the thread copies the rest and stops
        thread.join(timeout=5)
        os.close(terminal)
