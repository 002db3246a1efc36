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

from helpers import REPO
from newsflow_cli.main import app

pytestmark = pytest.mark.integration

# Closed ports (the discard port, 9): a backend that is down, not a mock of one.
DEAD_REDIS = "redis://127.0.0.1:9/0"
DEAD_ES = "http://127.0.0.1:9"
DEAD_NER = "http://127.0.0.1:9"


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
        (
            ["eval", "enrich", str(REPO / "tests" / "gold" / "enrich_dev_a.jsonl")],
            {"NEWSFLOW_ENRICH_NER": "corenlp", "NEWSFLOW_ENRICH_CORENLP_URL": DEAD_NER},
            "CoreNLP NER server",
        ),
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


def test_waiting_ingest_waits_out_a_short_redis_outage(tmp_path: Path) -> None:
    """Redis goes down for 3 s while `newsflow ingest` waits for its job: it keeps waiting,
    then gives up only at its timeout, saying how many items are in flight."""
    import time

    from private_redis import PrivateRedis
    from redis import Redis

    broker = PrivateRedis(tmp_path)
    broker.start()
    exe = str(Path(sys.executable).with_name("newsflow"))
    urls = ["https://a.example.invalid/1", "https://a.example.invalid/2"]
    try:
        proc = subprocess.Popen(
            [exe, "ingest", *urls, "--timeout", "12"],
            env={**os.environ, "NEWSFLOW_REDIS_URL": broker.url},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        ledger = Redis.from_url(broker.url)
        deadline = time.monotonic() + 60
        while len(ledger.keys("*:item:*")) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # submitted, waiting
        broker.restart(down_for=3.0)
        _, err = proc.communicate(timeout=60)
    finally:
        broker.stop()
    assert "Redis unreachable, still waiting" in err, err
    assert proc.returncode == 3, err
    assert "2 of 2 items still in flight" in err and "Traceback" not in err


def test_status_check_lists_indexed_items_missing_from_elasticsearch(runtime) -> None:  # type: ignore[no-untyped-def]
    from newsflow_shared.indices import names

    job = uuid.uuid4().hex[:16]
    present, missing = "chk-" + uuid.uuid4().hex, "chk-" + uuid.uuid4().hex
    runtime.ledger.create_job(job, "check test")
    for item, doc in (("000001", present), ("000002", missing)):
        runtime.ledger.add_item(job, item, f"https://x.org/{item}", "url", doc)
        runtime.ledger.indexed(job, item, doc)
    runtime.es.index(index=names("articles", runtime.settings.index_prefix).partition("2020-01"),
                     id=present, document={}, refresh=True)  # fmt: skip
    out = CliRunner().invoke(app, ["status", job, "--check", "--json"])
    assert out.exit_code == 1, out.output
    got = json.loads(out.stdout)
    assert got["match"] is False and (got["indexed"], got["present"]) == (2, 1)
    assert got["jobs"][0]["missing"] == [missing]
    out = CliRunner().invoke(app, ["status", job, "--check"])
    assert out.exit_code == 1 and missing in out.stderr and "differ" in out.stderr


def test_status_check_with_elasticsearch_down_says_what_is_in_flight(runtime) -> None:  # type: ignore[no-untyped-def]
    job = uuid.uuid4().hex[:16]
    runtime.ledger.create_job(job, "check test")
    runtime.ledger.add_item(job, "000001", "https://x.org/a", "url", "d1")
    runtime.ledger.indexed(job, "000001", "d1")
    runtime.ledger.add_item(job, "000002", "https://x.org/b", "url", "d2")
    out = _newsflow("status", job, "--check", NEWSFLOW_ES_URL=DEAD_ES)
    assert out.returncode == 4, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Elasticsearch is unreachable" in lines[0], out.stderr
    assert f"job {job}: 1 of 2 items still in flight" in lines[0]


def test_ingest_with_elasticsearch_down_says_what_is_in_flight(runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A stored file needs Elasticsearch at submission: the one line says where the job is."""
    page = tmp_path / "page.html"
    page.write_text("<html><body><article><p>Text.</p></article></body></html>")
    out = _newsflow("ingest", str(page), "--timeout", "5", NEWSFLOW_ES_URL=DEAD_ES)
    assert out.returncode == 4, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Elasticsearch is unreachable" in lines[0], out.stderr
    assert "1 of 1 items still in flight" in lines[0] and "Traceback" not in out.stderr


def test_reconcile_by_hand_prints_one_summary_line(tmp_path: Path) -> None:
    """`newsflow reconcile --json` on a Redis of its own: one pass, nobody to ask, nothing
    stuck; a stuck item there is re-dispatched (limits of 1 s from the environment)."""
    import time

    from private_redis import PrivateRedis
    from redis import Redis

    from newsflow_shared.ledger import Ledger
    from newsflow_shared.settings import get_settings

    broker = PrivateRedis(tmp_path)
    broker.start()
    limits = json.dumps(dict.fromkeys(("queued", "fetch", "parse", "enrich", "index"), 1))
    env = {"NEWSFLOW_REDIS_URL": broker.url, "NEWSFLOW_STAGE_LIMITS": limits}
    try:
        ledger = Ledger(Redis.from_url(broker.url), get_settings().ledger_prefix)
        ledger.create_job("j1", "cli reconcile test")
        ledger.add_item("j1", "000001", "https://example.org/a", "url", "d1")
        time.sleep(1.2)
        out = _newsflow("reconcile", "--json", **env)
        assert out.returncode == 0, out.stderr
        line = json.loads(out.stdout.strip().splitlines()[-1])
        assert line == {"workers": 0, "restored": 0, "redispatched": 1, "failed": 0,
                        "skipped": False}  # fmt: skip
        assert ledger.item("j1", "000001")["redispatches"] == "1"
        assert Redis.from_url(broker.url).llen("fetch") == 1
    finally:
        broker.stop()


def test_sources_from_the_cli(runtime) -> None:  # type: ignore[no-untyped-def]
    """add, list (health as JSON), pause, resume, remove; refusals exit non-zero, no traceback."""
    from newsflow_shared.sources import source_id

    url = "https://news.example.invalid/cli-sources/rss.xml"  # never resolves (RFC 2606)
    cli = CliRunner()
    out = cli.invoke(app, ["sources", "add", url, "--interval", "3600", "--json"])
    assert out.exit_code == 0, out.output
    sid = json.loads(out.stdout)["id"]
    assert sid == source_id(url)
    try:
        assert cli.invoke(app, ["sources", "add", url]).exit_code == 1  # already there
        out = cli.invoke(app, ["sources", "add", "ftp://x.org/f"])
        assert out.exit_code == 2 and "http(s)" in out.output
        out = cli.invoke(app, ["sources", "add", "https://x.invalid/f", "--interval", "5"])
        assert out.exit_code == 2 and "minimum" in out.output
        assert cli.invoke(app, ["sources", "pause", url]).exit_code == 0  # by URL too
        listed = json.loads(cli.invoke(app, ["sources", "list", "--json"]).stdout)
        mine = next(s for s in listed if s["id"] == sid)
        assert mine["health"] == "paused" and mine["next_due"] is None
        assert cli.invoke(app, ["sources", "resume", sid]).exit_code == 0
        out = cli.invoke(app, ["sources", "list"])
        assert out.exit_code == 0 and sid in out.output
    finally:
        assert cli.invoke(app, ["sources", "remove", sid]).exit_code == 0
    assert cli.invoke(app, ["sources", "remove", sid]).exit_code == 1
