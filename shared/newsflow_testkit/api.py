"""The API as a real process (uvicorn, as `make up` runs it) for tests and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsflow_testkit.workers import REPO


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_api(
    env: dict[str, str], ready_path: str = "/readyz", timeout: float = 90.0
) -> tuple[subprocess.Popen[bytes], str]:
    """The API under uvicorn as its own process (own session), with `env`; returns it and its
    base URL once `ready_path` answers 200. Raises RuntimeError (process stopped) otherwise."""
    import httpx

    port = free_port()
    uvicorn = str(Path(sys.executable).with_name("uvicorn"))
    app = ["--factory", "newsflow_api.main:create_app"]  # as `make up` runs it
    http = ["--http", "newsflow_api.server:ApiHttpProtocol", "--no-access-log"]
    proc = subprocess.Popen(
        [uvicorn, *app, *http, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url + ready_path, timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    stop_api(proc)
    raise RuntimeError(f"the API did not answer 200 on {ready_path} within {timeout:.0f} s")


def stop_api(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the API's process group; SIGKILL it after 30 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


@contextmanager
def running_api(env: dict[str, str], ready_path: str = "/readyz") -> Iterator[str]:
    """`start_api` for the length of a `with` block; yields the base URL."""
    proc, url = start_api(env, ready_path)
    try:
        yield url
    finally:
        stop_api(proc)
