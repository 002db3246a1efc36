"""A redis-server of a test's own, on a free port: a test may stop and restart it (the
suite's Redis on 6379 is never disturbed). Data in a temporary folder, AOF on as in the stack
(`appendfsync everysec`: a kill -9 may lose the last second of writes, as it would there)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from redis import Redis


def spawn_group(argv: list[str], log: Path, cwd: Path | None = None) -> subprocess.Popen[bytes]:
    """Start a server in a session (process group) of its own, stdin closed, its output
    appended to `log`; `stop_group` stops it."""
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_group(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> None:
    """Signal the process group of `proc` (started in a session of its own) and wait for it;
    SIGKILL the group if it is still there after 60 s."""
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateRedis:
    """`start()`, `stop()`, `restart()` a redis-server on 127.0.0.1:`port`, data in `folder`."""

    def __init__(self, folder: Path, appendfsync: str = "everysec") -> None:
        self.folder = folder
        self.appendfsync = appendfsync
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> None:
        self.proc = spawn_group(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--appendonly",
                "yes",
                "--appendfsync",
                self.appendfsync,
                "--save",
                "",
            ],
            self.folder / "redis.log",
        )
        deadline = time.monotonic() + timeout
        client = Redis.from_url(self.url, socket_connect_timeout=1)
        while True:
            try:
                client.ping()
                return
            except Exception:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)
        self.proc = None

    def restart(self, down_for: float = 0.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()
