"""One run per output directory: a lock file naming the process that holds it.

`score.lock` in the output directory is held with an exclusive `flock` for the whole run and holds
{"pid", "host", "started"}. The kernel releases a flock when its process dies, however it dies, so a
lock file that can be locked again but still names a process was left by a run that did not end
cleanly: it is taken over, and the takeover is reported. A second run while the first is alive is
refused at once with one line naming the first.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path

LOCK_FILE = "score.lock"


class LockedError(RuntimeError):
    """Another live process holds the output directory."""


class OutputLock:
    """`with OutputLock(dir) as lock:` holds `dir/score.lock`; `lock.took_over` names a dead holder, if any."""

    def __init__(self, directory: str | Path):
        self.path = Path(directory) / LOCK_FILE
        self.took_over: dict | None = None
        self._fd: int | None = None

    def acquire(self) -> OutputLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(fd)
                os.close(fd)
                raise LockedError(f"{self.path.parent}: in use by another run ({_describe(holder)}); wait for it "
                                  "to finish or choose another output directory") from None
            # The holder before us may have removed the file after we opened it: lock the file at the path.
            if _same_file(fd, self.path):
                break
            os.close(fd)
        previous = _read_holder(fd)
        if previous:
            self.took_over = previous
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                  "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}).encode(), 0)
        os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        self.path.unlink(missing_ok=True)  # while still holding it, so no one locks the removed file
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> OutputLock:  # noqa: PYI034 (typing.Self needs Python 3.11)
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def describe_takeover(holder: dict) -> str:
    """The one line that says a stale lock was taken over."""
    return f"took over the lock of a run that ended without releasing it ({_describe(holder)})"


def _describe(holder: dict | None) -> str:
    if not holder:
        return "process unknown: the lock file is being written"
    return (f"pid {holder.get('pid')} on host {holder.get('host')}"
            + (f", started {holder['started']}" if holder.get("started") else ""))


def _read_holder(fd: int) -> dict | None:
    data = os.pread(fd, 4096, 0)
    try:
        holder = json.loads(data) if data.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return holder if isinstance(holder, dict) else None


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)
