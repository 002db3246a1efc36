"""The whole stack as processes: Celery workers, the API under uvicorn, the `newsflow` CLI.

The seed article goes in through the CLI and must come out of the API with the actors and
events a careful reader sees in it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from helpers import REPO, SEED, SEEDS
from newsflow_testkit.api import running_api

pytestmark = pytest.mark.e2e
API_KEY = "e2e-test-key"


@pytest.fixture(scope="module")
def api(workers) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with running_api({**os.environ, "NEWSFLOW_API_KEY": API_KEY}) as url:
        yield url


@pytest.fixture(scope="module")
def seed_doc(api, runtime) -> dict:  # type: ignore[no-untyped-def]
    newsflow = str(Path(sys.executable).with_name("newsflow"))
    out = subprocess.run(
        [newsflow, "ingest", str(SEEDS), "--json", "--timeout", "240"],
        cwd=REPO,
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["counts"] == {"indexed": summary["submitted"]}, summary
    runtime.es.indices.refresh(index=f"{runtime.settings.index_prefix}articles")
    runtime.es.indices.refresh(index=f"{runtime.settings.index_prefix}events")
    hits = httpx.get(f"{api}/search", params={"q": '"phone call" Ushakov'}).json()["hits"]
    assert hits, "the seed is not found by full-text search"
    doc = httpx.get(f"{api}/articles/{hits[0]['id']}").json()
    assert doc["title"] == SEED.read_text().splitlines()[0].strip()
    return doc


def _actor(doc: dict, name: str) -> dict:
    matches = [a for a in doc["actors"] if a["name"] == name]
    assert matches, f"{name} not among {[a['name'] for a in doc['actors']]}"
    return matches[0]


def test_seed_actors(seed_doc) -> None:  # type: ignore[no-untyped-def]
    putin = _actor(seed_doc, "Vladimir Putin")
    assert putin["type"] == "person" and putin["country"] == "RUS"
    trump = _actor(seed_doc, "Donald Trump")
    assert trump["type"] == "person" and trump["country"] == "USA"
    ushakov = _actor(seed_doc, "Yury Ushakov")
    assert ushakov["country"] == "RUS"
    assert _actor(seed_doc, "Volodymyr Zelensky")["type"] == "person"
    for country in ("RUS", "UKR", "USA"):
        assert any(a["type"] == "country" and a["country"] == country for a in seed_doc["actors"])
    names = {a["name"] for a in seed_doc["actors"]}
    assert "Trump Russia" not in names and "Patriot" not in names and "Yury" not in names


def test_seed_events(seed_doc) -> None:  # type: ignore[no-untyped-def]
    actors = {a["id"]: a for a in seed_doc["actors"]}

    def names(ids: list[str]) -> set[str]:
        return {actors[i]["name"] for i in ids if i in actors}

    events = seed_doc["events"]
    calls = [e for e in events if e["type"] == "CONSULT" and e["mode"] == "phone"]
    assert calls, events
    call = calls[0]
    assert {"Vladimir Putin", "Donald Trump"} <= names(call["source_actors"]) | names(
        call["target_actors"]
    )
    assert call["date"] == "2025-07-03"
    assaults = [e for e in events if e["type"] == "ASSAULT" and not e["negated"]]
    assert any(
        "RUS" in {actors[i].get("country") for i in e["source_actors"] if i in actors}
        for e in assaults
    )
    assert any(e["type"] == "SANCTION" and e["negated"] for e in events)


def test_events_endpoint_and_ingest_api(api, seed_doc) -> None:  # type: ignore[no-untyped-def]
    # `type` was never a parameter of /events (it was ignored, and every event came back);
    # the filter is `event_type`, and a misspelt one is refused
    r = httpx.get(f"{api}/events", params={"type": "CONSULT"})
    assert r.status_code == 400 and r.json()["parameter"] == "type"
    res = httpx.get(f"{api}/events", params={"event_type": "CONSULT"}).json()
    assert res["hits"] and all(h["type"] == "CONSULT" for h in res["hits"])
    assert any(h["article_id"] == seed_doc["id"] for h in res["hits"])
    assert httpx.post(f"{api}/ingest", json={"urls": ["https://example.org/a"]}).status_code in (
        401,
        403,
    )
    r = httpx.post(
        f"{api}/ingest", json={"urls": ["ftp://example.org/a"]}, headers={"X-API-Key": API_KEY}
    )
    assert r.status_code in (200, 201, 202), r.text
    job = r.json()["job_id"]
    assert httpx.get(f"{api}/jobs/{job}").status_code == 401  # a job names what was submitted
    status = httpx.get(f"{api}/jobs/{job}", headers={"X-API-Key": API_KEY}).json()
    assert status["submitted"] == 1 and status["counts"] == {"rejected": 1}
