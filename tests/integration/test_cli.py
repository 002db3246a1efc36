"""The `newsflow` command's status/init paths against the real Redis and Elasticsearch."""

from __future__ import annotations

import json
import uuid

import pytest
from typer.testing import CliRunner

from newsflow_cli.main import app

pytestmark = pytest.mark.integration


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
