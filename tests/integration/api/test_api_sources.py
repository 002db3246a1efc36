"""/sources on the real app, real Redis: reads are open, writes need the API key like /ingest;
the health of each source is in the answer and its gauges on /metrics."""

from __future__ import annotations

import httpx
import pytest
from api_corpus import API_KEY

from newsflow_shared.sources import source_id

pytestmark = pytest.mark.integration

KEY = {"X-API-Key": API_KEY}
# .invalid never resolves (RFC 2606): nothing leaves the machine if a poll runs meanwhile
URL = "https://news.example.invalid/api-sources/feed.xml"


async def test_writes_need_the_api_key(client: httpx.AsyncClient) -> None:
    body = {"url": URL}
    assert (await client.post("/sources", json=body)).status_code == 401
    r = await client.post("/sources", json=body, headers={"X-API-Key": "wrong-key-xxxxxxxx"})
    assert r.status_code == 403
    sid = source_id(URL)
    assert (await client.delete(f"/sources/{sid}")).status_code == 401
    assert (await client.post(f"/sources/{sid}/pause")).status_code == 401


async def test_register_list_pause_resume_remove(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/sources", json={"url": URL, "kind": "sitemap", "interval": 3600}, headers=KEY
    )
    assert r.status_code == 201, r.text
    src = r.json()
    sid = src["id"]
    assert sid == source_id(URL) and src["kind"] == "sitemap" and src["health"] == "new"
    assert src["next_due"] is not None  # due at once
    r = await client.post("/sources", json={"url": URL}, headers=KEY)
    assert r.status_code == 409 and r.json()["parameter"] == "url"
    listed = {s["id"]: s for s in (await client.get("/sources")).json()}
    assert listed[sid]["next_due"] is not None and listed[sid]["errors"] == 0
    r = await client.post(f"/sources/{sid}/pause", headers=KEY)
    assert r.status_code == 200 and r.json()["health"] == "paused"
    assert r.json()["next_due"] is None  # not scheduled while paused
    r = await client.post(f"/sources/{sid}/resume", headers=KEY)
    assert r.status_code == 200 and r.json()["paused"] is False and r.json()["next_due"]
    metrics = (await client.get("/metrics")).text
    assert f'newsflow_source_polls{{kind="sitemap",source="{sid}"}}' in metrics
    assert (await client.delete(f"/sources/{sid}", headers=KEY)).status_code == 204
    assert (await client.get(f"/sources/{sid}")).status_code == 404
    assert (await client.delete(f"/sources/{sid}", headers=KEY)).status_code == 404
    assert sid not in {s["id"] for s in (await client.get("/sources")).json()}


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"url": "ftp://x.org/feed"}, "url"),
        ({"url": URL, "kind": "podcast"}, "kind"),
        ({"url": URL, "interval": 5}, "interval"),  # below the deployment's minimum (60 s)
        ({"url": URL, "extra": 1}, "extra"),
    ],
)
async def test_bad_sources_are_refused_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, object], parameter: str
) -> None:
    r = await client.post("/sources", json=body, headers=KEY)
    assert r.status_code == 422, r.text
    assert r.json()["parameter"] == parameter


async def test_unknown_and_malformed_ids(client: httpx.AsyncClient) -> None:
    assert (await client.get("/sources/s000000000000000")).status_code == 404
    assert (await client.get("/sources/not-an-id")).status_code == 422
