"""/articles, /events, /actors, /timeline, /ingest, /jobs, health and metrics, on the real backends."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from api_corpus import API_KEY, N_ARTICLES, STORIES, doc_id_of, published_of

pytestmark = pytest.mark.integration


def story_ids(k: int) -> set[str]:
    return {doc_id_of(i) for i in range(N_ARTICLES) if i % len(STORIES) == k}


def n_story(k: int) -> int:
    return len(story_ids(k))


def count_events(es: Any, prefix: str, *filters: dict[str, Any]) -> int:
    return int(
        es.count(index=f"{prefix}events", query={"bool": {"filter": list(filters)}})["count"]
    )


# ---------------------------------------------------------------- /articles


async def test_article_with_actors_events_quotes(client: httpx.AsyncClient) -> None:
    r = await client.get("/articles/fx0004")  # story 4: a negated assault and an accusation
    assert r.status_code == 200
    a = r.json()
    assert a["id"] == "fx0004" and a["title"] == STORIES[4].title
    assert {x["id"] for x in a["actors"]} == set(STORIES[4].actors)
    assert a["actors"][0]["actor_url"].startswith("/actors/")
    types = {(e["type"], e["negated"]) for e in a["events"]}
    assert types == {("ASSAULT", True), ("ACCUSE", False)}
    assert all(e["sentence"] for e in a["events"]) and a["quotes"]
    assert "text_lemmas" not in a and "title_lemmas" not in a
    # the stored mention offsets point at the actor's names in the text
    for x in a["actors"]:
        shown = {a["text"][sp["start"] : sp["end"]] for sp in x["spans"]}
        assert shown <= {x["name"], *x["aliases"]}, x
    ukraine = next(x for x in a["actors"] if x["id"] == "country:UKR")
    assert [a["text"][sp["start"] : sp["end"]] for sp in ukraine["spans"]] == ["Ukraine"]


async def test_missing_article_is_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/articles/nope")
    assert r.status_code == 404
    assert r.json()["parameter"] == "doc_id"


# ---------------------------------------------------------------- /events


async def test_events_exclude_negated_and_hypothetical_by_default(
    client: httpx.AsyncClient, es: Any, indices: str
) -> None:
    body = (await client.get("/events", params={"size": 100})).json()
    counted = count_events(es, indices, {"term": {"counted": True}})
    assert body["total"] == counted == len(body["hits"])
    assert not any(h["negated"] or h["hypothetical"] for h in body["hits"])
    everything = count_events(es, indices)
    with_neg = (await client.get("/events", params={"include_negated": True})).json()["total"]
    assert with_neg == counted + n_story(4)
    both = (
        await client.get("/events", params={"include_negated": True, "include_hypothetical": True})
    ).json()["total"]
    assert both == everything


async def test_events_filters_facets_and_links(
    client: httpx.AsyncClient, es: Any, indices: str
) -> None:
    body = (
        await client.get("/events", params={"source_country": "RUS", "facet_size": 50, "size": 100})
    ).json()
    assert body["total"] == count_events(
        es, indices, {"term": {"counted": True}}, {"term": {"source_countries": "RUS"}}
    )
    # Russia's own assaults, the Wagner Group's mobilisation, Putin's meeting
    assert {h["type"] for h in body["hits"]} == {"ASSAULT", "MOBILIZE", "CONSULT"}
    assert all(h["article_url"] == f"/articles/{h['article_id']}" for h in body["hits"])
    counted = {"term": {"counted": True}}
    # types facet ignores its own filter, keeps source_country
    for b in body["facets"]["types"]:
        assert b["count"] == count_events(
            es,
            indices,
            counted,
            {"term": {"type": b["value"]}},
            {"term": {"source_countries": "RUS"}},
        )
    # source_countries facet ignores source_country: every counted source country is listed
    sources = {b["value"]: b["count"] for b in body["facets"]["source_countries"]}
    assert sources["RUS"] == body["total"]
    assert sources["USA"] == count_events(
        es, indices, counted, {"term": {"source_countries": "USA"}}
    )
    assert sum(b["count"] for b in body["facets"]["months"]) == body["total"] - sum(
        1 for h in body["hits"] if h["date"] is None
    )

    # the modes facet: the mode filter is its own (multi-select), the type filter holds
    body = (
        await client.get(
            "/events", params={"event_type": ["AID", "ASSAULT"], "event_mode": "economic"}
        )
    ).json()
    assert body["total"] == 0
    modes = {b["value"]: b["count"] for b in body["facets"]["modes"]}
    two_types = {"terms": {"type": ["AID", "ASSAULT"]}}
    assert modes == {
        m: count_events(es, indices, counted, two_types, {"term": {"mode": m}})
        for m in ("aerial", "military")
    }
    assert all(modes.values())

    body = (await client.get("/events", params={"q": "talks", "size": 100})).json()
    assert {h["article_id"] for h in body["hits"]} == story_ids(1)
    assert all("<mark>talk</mark>" in h["highlight"] for h in body["hits"])

    body = (
        await client.get(
            "/events",
            params={
                "event_type": ["AID", "SANCTION"],
                "source_actor": "United States",
                "size": 100,
            },
        )
    ).json()
    assert body["total"] == n_story(2) + n_story(7)


async def test_events_pagination(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    cursor = None
    total = None
    while True:
        params: dict[str, Any] = {"size": 9, "sort": "newest", "include_negated": True}
        if cursor:
            params["cursor"] = cursor
        body = (await client.get("/events", params=params)).json()
        total = body["total"]
        seen += [h["id"] for h in body["hits"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == total


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/search", {"published_to": "9999-12-31"}, "published_to"),
        ("/search", {"published_from": "0001-01-01"}, "published_from"),
        ("/events", {"published_to": "9999-12-31"}, "published_to"),
        ("/events", {"date_to": "9999-12-31"}, "date_to"),
        ("/events", {"date_from": "9999-12-31"}, "date_from"),
        ("/timeline", {"published_to": "9999-12-31"}, "published_to"),
        ("/timeline", {"of": "events", "date_to": "9999-12-31"}, "date_to"),
    ],
)
async def test_out_of_range_dates_are_422_naming_the_parameter(
    client: httpx.AsyncClient, path: str, params: dict[str, str], parameter: str
) -> None:
    r = await client.get(path, params=params)
    assert r.status_code == 422, r.text
    assert r.json()["parameter"] == parameter and "out of range" in r.json()["message"]


async def test_events_bad_input(client: httpx.AsyncClient) -> None:
    r = await client.get("/events", params={"date_from": "2024-06-01", "date_to": "2024-01-01"})
    assert r.status_code == 422 and r.json()["parameter"] == "date_from"
    r = await client.get("/events", params={"target_country": "U"})
    assert r.status_code == 422 and r.json()["parameter"] == "target_country"


# ---------------------------------------------------------------- /actors


async def test_actor_lookup_by_name_prefix_and_alias(
    client: httpx.AsyncClient, es: Any, indices: str
) -> None:
    actors = (await client.get("/actors", params={"q": "zelen"})).json()["actors"]
    assert [a["id"] for a in actors] == ["person:volodymyr-zelensky"]
    z = actors[0]
    assert z["articles"] == n_story(1) + n_story(7)
    assert (
        z["articles"]
        == es.count(
            index=f"{indices}articles", query={"term": {"actor_ids": "person:volodymyr-zelensky"}}
        )["count"]
    )
    assert "Zelenskyy" in z["aliases"]
    by_alias = (await client.get("/actors", params={"q": "Washington"})).json()["actors"]
    assert by_alias[0]["id"] == "country:USA"
    groups = (await client.get("/actors", params={"type": "group"})).json()["actors"]
    assert {a["id"] for a in groups} == {"group:wagner-group", "group:hamas"}
    r = await client.get("/actors", params={"type": "planet"})
    assert r.status_code == 422 and r.json()["parameter"] == "type"


async def test_actor_profile(client: httpx.AsyncClient, es: Any, indices: str) -> None:
    p = (await client.get("/actors/country:RUS")).json()
    rus_stories = [k for k, s in enumerate(STORIES) if "country:RUS" in s.actors]
    assert p["articles"] == sum(n_story(k) for k in rus_stories)
    assert p["name"] == "Russia" and p["type"] == "country" and "Moscow" in p["aliases"]
    assert sum(b["articles"] for b in p["mentions_over_time"]) == p["articles"] - (
        1
        if published_of(N_ARTICLES - 1) is None and (N_ARTICLES - 1) % len(STORIES) in rus_stories
        else 0
    )
    co = {c["id"]: c["articles"] for c in p["co_actors"]}
    assert co["country:UKR"] == sum(
        n_story(k) for k in rus_stories if "country:UKR" in STORIES[k].actors
    )
    src = {b["value"]: b["count"] for b in p["events_as_source"]}
    assert src == {
        "ASSAULT": count_events(
            es, indices, {"term": {"counted": True}}, {"term": {"source_actors": "country:RUS"}}
        )
    }
    tgt = {b["value"]: b["count"] for b in p["events_as_target"]}
    assert tgt == {"THREATEN": n_story(3), "ACCUSE": n_story(4)}
    dates = [a["published"] for a in p["latest_articles"] if a["published"]]
    assert dates == sorted(dates, reverse=True) and len(p["latest_articles"]) == 10


async def test_unknown_actor_is_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/actors/person:nobody")
    assert r.status_code == 404 and r.json()["parameter"] == "actor_id"


# ---------------------------------------------------------------- /timeline


async def test_timeline_articles_and_events(client: httpx.AsyncClient) -> None:
    body = (await client.get("/timeline", params={"interval": "month"})).json()
    assert body["total"] == N_ARTICLES
    assert sum(b["count"] for b in body["buckets"]) == N_ARTICLES - 1  # one undated
    assert [b["date"] for b in body["buckets"]] == [f"2024-0{m}-01" for m in range(1, 7)]
    march = next(b for b in body["buckets"] if b["date"] == "2024-03-01")
    assert march["count"] == sum(
        1 for i in range(N_ARTICLES) if (p := published_of(i)) and p.month == 3
    )

    filtered = (
        await client.get("/timeline", params={"q": "attacks", "site": "dw.com", "interval": "week"})
    ).json()
    search = (await client.get("/search", params={"q": "attacks", "site": "dw.com"})).json()
    assert filtered["total"] == search["total"]
    days = (
        await client.get(
            "/timeline", params={"of": "events", "interval": "day", "event_type": "ASSAULT"}
        )
    ).json()
    assert days["total"] == n_story(0)


async def test_timeline_bad_input(client: httpx.AsyncClient) -> None:
    r = await client.get("/timeline", params={"interval": "hour"})
    assert r.status_code == 422 and r.json()["parameter"] == "interval"
    r = await client.get("/timeline", params={"of": "events", "person": "Joe Biden"})
    assert r.status_code == 422 and r.json()["parameter"] == "person"
    r = await client.get("/timeline", params={"of": "articles", "include_negated": True})
    assert r.status_code == 422 and r.json()["parameter"] == "include_negated"


# ---------------------------------------------------------------- /ingest and /jobs


async def test_ingest_requires_the_api_key(client: httpx.AsyncClient) -> None:
    body = {"urls": ["https://example.org/a"]}
    r = await client.post("/ingest", json=body)
    assert r.status_code == 401 and r.json()["parameter"] == "X-API-Key"
    r = await client.post("/ingest", json=body, headers={"X-API-Key": "wrong-key-xxxxxxxx"})
    assert r.status_code == 403


async def test_ingest_then_job(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/ingest",
        json={
            # .invalid never resolves (RFC 2606): nothing leaves the machine if a worker runs
            "urls": ["https://news.example.invalid/1", "ftp://example.org/x"],
            "feeds": ["https://news.example.invalid/feed.xml"],
        },
        headers={"X-API-Key": API_KEY},
    )
    assert r.status_code == 202, r.text
    out = r.json()
    assert out["items"] == 3 and out["job_url"] == f"/jobs/{out['job_id']}"
    assert out["rejected"] == [{"source": "ftp://example.org/x", "reason": "unsupported_scheme"}]
    job = (await client.get(out["job_url"], headers={"X-API-Key": API_KEY})).json()
    assert job["submitted"] == 3
    # the two valid items are queued, or already taken by a worker if one runs in this session
    assert job["counts"]["rejected"] >= 1 and sum(job["counts"].values()) == 3
    assert job["in_flight"] + sum(job["counts"].get(s, 0) for s in ("rejected", "failed")) == 3
    assert [i["reason"] for i in job["rejected"]] == ["unsupported_scheme"]
    assert job["failed"] == []


async def test_ingest_bad_bodies_and_unknown_job(client: httpx.AsyncClient) -> None:
    h = {"X-API-Key": API_KEY}
    r = await client.post("/ingest", json={}, headers=h)
    assert r.status_code == 422 and r.json()["parameter"] == "urls"
    r = await client.post("/ingest", json={"urls": "https://x"}, headers=h)
    assert r.status_code == 422 and r.json()["parameter"] == "urls"
    r = await client.post("/ingest", json={"pages": []}, headers=h)
    assert r.status_code == 422 and r.json()["parameter"] == "pages"
    r = await client.get("/jobs/0000000000000000", headers=h)
    assert r.status_code == 404 and r.json()["parameter"] == "job_id"
    r = await client.get("/jobs/bad id!", headers=h)
    assert r.status_code == 422


async def test_job_needs_the_api_key(
    client: httpx.AsyncClient, tmp_path: Any, runtime: Any
) -> None:
    """A job lists its items' sources (a CLI submitter's local file paths among them): without
    the key it answers 401/403 and shows none of it."""
    from newsflow_shared.submit import Submitter

    secret = tmp_path / "private" / "notes.docx"
    secret.parent.mkdir()
    secret.write_bytes(b"PK")
    sub = Submitter(runtime, source=str(secret))
    sub.any(str(secret))  # rejected right away (unsupported file type): nothing is queued
    url = f"/jobs/{sub.sub.job_id}"
    for headers in ({}, {"X-API-Key": "wrong-key-xxxxxxxx"}):
        r = await client.get(url, headers=headers)
        assert r.status_code in (401, 403), r.text
        assert r.json()["parameter"] == "X-API-Key" and str(tmp_path) not in r.text
    r = await client.get(url, headers={"X-API-Key": API_KEY})
    assert r.status_code == 200 and r.json()["rejected"][0]["source"] == str(secret)


async def test_ingest_limits(client: httpx.AsyncClient, api_settings: Any) -> None:
    """A URL longer than the setting is refused (422 naming the item), so is a submission of
    more items than the setting (413); neither records anything."""
    h = {"X-API-Key": API_KEY}
    long_url = "https://example.org/?q=" + "a" * api_settings.ingest_max_url_bytes
    r = await client.post("/ingest", json={"urls": ["https://example.org/a", long_url]}, headers=h)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["parameter"] == "urls" and body["problems"][0]["location"] == "body"
    assert body["problems"][0]["message"].startswith("[1] ")
    r = await client.post("/ingest", json={"feeds": [long_url]}, headers=h)
    assert r.status_code == 422 and r.json()["parameter"] == "feeds"
    n = api_settings.ingest_max_items + 1
    r = await client.post(
        "/ingest", json={"urls": [f"https://example.org/{i}" for i in range(n)]}, headers=h
    )
    assert r.status_code == 413, r.text
    assert r.json()["error"] == "too_large" and str(api_settings.ingest_max_items) in r.text


# ---------------------------------------------------------------- health, metrics, docs


async def test_health_ready_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json() == {
        "status": "ok",
        "elasticsearch": "ok",
        "redis": "ok",
    }
    await client.get("/articles/fx0001")
    text = (await client.get("/metrics")).text
    assert (
        'newsflow_api_requests_total{method="GET",route="/articles/{doc_id}",status="200"}' in text
    )
    assert "newsflow_api_request_duration_seconds_bucket" in text


async def test_openapi_documents_every_endpoint_with_examples(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = {
        "/search",
        "/articles/{doc_id}",
        "/events",
        "/actors",
        "/actors/{actor_id}",
        "/timeline",
        "/ingest",
        "/jobs/{job_id}",
        "/healthz",
        "/readyz",
        "/metrics",
    }
    assert paths <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    for name in (
        "SearchResponse",
        "ArticleOut",
        "EventsResponse",
        "ActorsResponse",
        "ActorProfile",
        "TimelineResponse",
        "IngestRequest",
        "IngestResponse",
        "JobOut",
        "ErrorBody",
    ):
        assert schemas[name].get("examples"), name


async def test_backends_down_give_503(settings: Any, api_settings: Any) -> None:
    """An app pointed at closed ports (settings injection): readyz and search say 503."""
    from newsflow_api.main import create_app

    dead = settings.model_copy(
        update={"es_url": "http://127.0.0.1:9", "redis_url": "redis://127.0.0.1:9/0"}
    )
    app = create_app(dead, api_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as c:
            r = await c.get("/readyz")
            assert r.status_code == 503
            body = r.json()
            assert body["status"] == "unavailable"
            assert body["elasticsearch"].startswith("down") and body["redis"].startswith("down")
            for path in ("/search", "/events", "/articles/x", "/actors", "/actors/x", "/timeline"):
                r = await c.get(path)
                assert r.status_code == 503, (path, r.text)
                assert "Elasticsearch" in r.json()["message"]
            r = await c.get("/jobs/abc", headers={"X-API-Key": API_KEY})
            assert r.status_code == 503 and "Redis" in r.json()["message"]
            assert (await c.get("/healthz")).status_code == 200
