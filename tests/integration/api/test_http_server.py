"""The API behind a real uvicorn server: what the HTTP layer refuses is answered with the API's
JSON error body too (an over-long request target, a malformed request)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_corpus import API_KEY

from helpers import REPO

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(settings: Any, indices: str, tmp_path_factory: Any) -> Iterator[str]:
    """`uvicorn --http newsflow_api.server:ApiHttpProtocol`, as a process of its own."""
    port = _free_port()
    uvicorn = str(Path(sys.executable).with_name("uvicorn"))
    env = {**os.environ, "NEWSFLOW_INDEX_PREFIX": indices, "NEWSFLOW_API_KEY": API_KEY}
    log = open(tmp_path_factory.mktemp("api") / "api.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            uvicorn,
            "--factory",
            "newsflow_api.main:create_app",
            "--http",
            "newsflow_api.server:ApiHttpProtocol",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the API server did not start; log in {log.name}")
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def _raw(base: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` as is; the status, headers and body of the answer."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize("query_bytes", [20_000, 70_000, 300_000])
def test_over_long_query_string_is_414_json(server: str, query_bytes: int) -> None:
    """Past our limit (16 KiB) and past what httptools parses at all (64 KiB)."""
    target = "/search?q=" + "a" * query_bytes
    status, headers, body = _raw(
        server, f"GET {target} HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n".encode()
    )
    assert status == 414, body[:200]
    assert headers["content-type"] == "application/json"
    err = httpx.Response(status, content=body).json()
    assert err["status"] == 414 and err["error"] == "uri_too_long"


def test_malformed_request_is_400_json(server: str) -> None:
    status, headers, body = _raw(server, b"GET /search HTTP/1.1\r\nHost api\r\n\r\n")
    assert status == 400 and headers["content-type"] == "application/json"
    assert httpx.Response(status, content=body).json()["error"] == "bad_request"


def test_requests_within_the_limit_are_served(server: str) -> None:
    r = httpx.get(f"{server}/search", params={"q": "talks", "site": ["x" * 200] * 40})
    assert r.status_code == 200, r.text


async def test_target_limit_applies_in_the_app_too(client: httpx.AsyncClient) -> None:
    """The in-app check (any server): same limit, same body."""
    r = await client.get("/search", params={"q": "a" * 20_000})
    assert r.status_code == 414 and r.json()["error"] == "uri_too_long"
