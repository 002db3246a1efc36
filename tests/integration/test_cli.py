"""The `newsflow` command's status/init paths against the real Redis and Elasticsearch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsflow_cli.main import app

pytestmark = pytest.mark.integration

# Closed ports (the discard port, 9): a backend that is down, not a mock of one.
DEAD_REDIS = "redis://127.0.0.1:9/0"
DEAD_ES = "http://127.0.0.1:9"


def test_status_of_a_job_and_of_an_unknown_job(runtime) -> None:  # type: ignore[no-untyped-def]
    job = uuid.uuid4().hex[:16]
    runtime.ledger.create_job(job, "cli test")
    runtime.ledger.add_item(job, "000001", "https://x.org/a", "url")
    runtime.ledger.reject(job, "000001", "fetch", "http_404", "https://x.org/a answered 404")
    runtime.ledger.add_item(job, "000002", "https://x.org/b", "url")
    out = CliRunner().invoke(app, ["status", job, "--json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)
    assert summary["counts"] == {"queued": 1, "rejected": 1} and summary["in_flight"] == 1
    assert summary["problems"][0]["reason"] == "http_404"
    out = CliRunner().invoke(app, ["status", "no-such-job"])
    assert out.exit_code == 1


def test_init_is_idempotent_from_the_cli(runtime) -> None:  # type: ignore[no-untyped-def]
    out = CliRunner().invoke(app, ["init"])
    assert out.exit_code == 0, out.output
    assert "0 changes" in out.output


def test_ingest_of_nothing_usable_exits_cleanly(runtime, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "notes.docx").write_bytes(b"PK")
    out = CliRunner().invoke(app, ["ingest", str(tmp_path), "--json", "--timeout", "5"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["counts"] == {"rejected": 1} and summary["done"]


def _newsflow(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed `newsflow` command, as a user runs it."""
    exe = str(Path(sys.executable).with_name("newsflow"))
    return subprocess.run(
        [exe, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "env", "backend"),
    [
        (
            ["ingest", "https://example.org/a", "--timeout", "5"],
            {"NEWSFLOW_REDIS_URL": DEAD_REDIS},
            "Redis",
        ),
        (["status"], {"NEWSFLOW_REDIS_URL": DEAD_REDIS}, "Redis"),
        (["init"], {"NEWSFLOW_ES_URL": DEAD_ES}, "Elasticsearch"),
    ],
)
def test_backend_down_is_one_line_not_a_traceback(
    args: list[str], env: dict[str, str], backend: str
) -> None:
    out = _newsflow(*args, **env)
    assert out.returncode == 4, out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{backend} is unreachable" in lines[0], out.stderr


def test_ingest_that_gives_up_waiting_says_how_many_are_in_flight(tmp_path: Path) -> None:
    """No worker serves this Redis: the items stay queued, the wait ends, and says so."""
    from private_redis import PrivateRedis

    broker = PrivateRedis(tmp_path)
    broker.start()
    try:
        out = _newsflow(
            "ingest",
            "https://a.example.invalid/1",
            "https://a.example.invalid/2",
            "--timeout",
            "1",
            NEWSFLOW_REDIS_URL=broker.url,
        )
    finally:
        broker.stop()
    assert out.returncode == 3, out.stderr
    assert "2 of 2 items still in flight" in out.stderr and "Traceback" not in out.stderr
