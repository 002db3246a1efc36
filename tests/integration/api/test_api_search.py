"""GET /search against the real Elasticsearch with the fixture corpus indexed by the index stage."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from api_corpus import N_ARTICLES, SITES, STORIES, doc_id_of, published_of

pytestmark = pytest.mark.integration


def story_ids(k: int) -> set[str]:
    return {doc_id_of(i) for i in range(N_ARTICLES) if i % len(STORIES) == k}


def count(es: Any, prefix: str, *filters: dict[str, Any]) -> int:
    """The true number of articles matching `filters`, asked of Elasticsearch directly."""
    query = {"bool": {"filter": list(filters)}}
    return int(es.count(index=f"{prefix}articles", query=query)["count"])


async def all_pages(client: httpx.AsyncClient, params: dict[str, Any]) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        r = await client.get("/search", params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        hits += body["hits"]
        cursor = body["next_cursor"]
        if cursor is None:
            return hits
    raise AssertionError("pagination did not end")


async def test_inflections_match_and_highlight_the_real_words(client: httpx.AsyncClient) -> None:
    r = await client.get("/search", params={"q": "attacks", "size": 50})
    body = r.json()
    ids = {h["id"] for h in body["hits"]}
    assert story_ids(0) <= ids  # "Russian forces attacked Kyiv": lemma match
    assert story_ids(3) <= ids  # "Russia could attack"
    t0 = next(h for h in body["hits"] if h["id"] in story_ids(0))
    assert any("<mark>attacked</mark>" in frag for frag in t0["highlights"]["text"])
    assert t0["highlights"]["title"] == "Russia <mark>attacks</mark> Kyiv with drones"

    r = await client.get("/search", params={"q": "talks", "size": 50})
    ids = {h["id"] for h in r.json()["hits"]}
    assert story_ids(1) <= ids  # "held a talk" and title "hold talks"
    assert story_ids(7) <= ids  # "brief talks"


async def test_query_syntax_phrase_exclude_or(client: httpx.AsyncClient) -> None:
    r = await client.get("/search", params={"q": '"black sea"', "size": 50})
    assert {h["id"] for h in r.json()["hits"]} == story_ids(3) | story_ids(4)
    r = await client.get("/search", params={"q": '"black sea" -kremlin', "size": 50})
    assert {h["id"] for h in r.json()["hits"]} == story_ids(3)
    r = await client.get("/search", params={"q": "gazprom OR hamas", "size": 50})
    assert {h["id"] for h in r.json()["hits"]} == story_ids(2) | story_ids(6)


async def test_filters_narrow_to_the_true_counts(
    client: httpx.AsyncClient, es: Any, indices: str
) -> None:
    r = await client.get("/search", params={"site": "reuters.com", "language": "en", "size": 100})
    body = r.json()
    assert body["total"] == count(
        es, indices, {"term": {"site": "reuters.com"}}, {"term": {"language": "en"}}
    )
    assert all(h["site"] == "reuters.com" and h["language"] == "en" for h in body["hits"])
    assert body["total"] == len(body["hits"]) > 0

    r = await client.get("/search", params={"person": "Vladimir Putin", "author": "John Doe"})
    body = r.json()
    assert (
        body["total"]
        == count(
            es, indices, {"term": {"persons": "Vladimir Putin"}}, {"term": {"authors": "John Doe"}}
        )
        > 0
    )

    r = await client.get(
        "/search",
        params={"published_from": "2024-03-01", "published_to": "2024-03-31", "size": 100},
    )
    body = r.json()
    expected = {
        doc_id_of(i)
        for i in range(N_ARTICLES)
        if (p := published_of(i)) is not None and (p.year, p.month) == (2024, 3)
    }
    assert {h["id"] for h in body["hits"]} == expected


async def test_correlated_event_filter(client: httpx.AsyncClient) -> None:
    # Assaults by Russia on Ukraine: story 0 only; story 4's is negated, story 3's hypothetical.
    r = await client.get(
        "/search",
        params={
            "event_type": "ASSAULT",
            "source_country": "RUS",
            "target_country": "UKR",
            "size": 100,
        },
    )
    assert {h["id"] for h in r.json()["hits"]} == story_ids(0)
    r = await client.get("/search", params={"event_type": "ASSAULT", "size": 100})
    assert {h["id"] for h in r.json()["hits"]} == story_ids(0)
    # Same event: Germany is a source (AID) but never a target of an AID from USA's articles.
    r = await client.get(
        "/search", params={"event_type": "AID", "source_country": "DEU", "size": 100}
    )
    assert {h["id"] for h in r.json()["hits"]} == story_ids(1)


async def test_facet_counts_are_true_counts_without_filters(
    client: httpx.AsyncClient, es: Any, indices: str
) -> None:
    facets = (await client.get("/search", params={"facet_size": 50})).json()["facets"]
    for b in facets["sites"]:
        assert b["count"] == count(es, indices, {"term": {"site": b["value"]}})
    assert {b["value"] for b in facets["sites"]} == set(SITES)
    for b in facets["countries"]:
        assert b["count"] == count(es, indices, {"term": {"countries": b["value"]}})
    assert next(b for b in facets["countries"] if b["value"] == "UKR")["label"] == "Ukraine"
    for name, field in (
        ("persons", "persons"),
        ("organizations", "organizations"),
        ("locations", "locations"),
        ("groups", "groups"),
        ("event_types", "event_types"),
        ("languages", "language"),
    ):
        assert facets[name], name
        for b in facets[name]:
            assert b["count"] == count(es, indices, {"term": {field: b["value"]}}), (name, b)
    assert sum(b["count"] for b in facets["published"]) == N_ARTICLES - 1  # one undated


async def test_multi_select_facets_ignore_only_their_own_filter(
    client: httpx.AsyncClient, es: Any, indices: str
) -> None:
    params = {"site": ["reuters.com", "bbc.co.uk"], "language": "en", "facet_size": 50}
    body = (await client.get("/search", params=params)).json()
    two_sites = {"terms": {"site": ["reuters.com", "bbc.co.uk"]}}
    en = {"term": {"language": "en"}}
    assert body["total"] == count(es, indices, two_sites, en)
    # sites: every site still listed, counted under the language filter only
    sites = {b["value"]: b["count"] for b in body["facets"]["sites"]}
    assert set(sites) == set(SITES)
    for site, n in sites.items():
        assert n == count(es, indices, {"term": {"site": site}}, en)
    # languages: counted under the site filter only
    for b in body["facets"]["languages"]:
        assert b["count"] == count(es, indices, two_sites, {"term": {"language": b["value"]}})
    assert {b["value"] for b in body["facets"]["languages"]} == {"en", "de", "fr"}
    # other facets: under both filters
    for b in body["facets"]["countries"]:
        assert b["count"] == count(es, indices, two_sites, en, {"term": {"countries": b["value"]}})

    # event_types keeps the other event constraints when its own is dropped
    body = (
        await client.get(
            "/search", params={"event_type": "ASSAULT", "source_country": "RUS", "facet_size": 50}
        )
    ).json()
    types = {b["value"]: b["count"] for b in body["facets"]["event_types"]}
    assert (
        types == {"ASSAULT": len(story_ids(0)), "CONSULT": len(story_ids(5))} or "ASSAULT" in types
    )
    assert types["ASSAULT"] == len(story_ids(0))


async def test_pagination_returns_every_hit_once(client: httpx.AsyncClient) -> None:
    for params in (
        {"size": 7, "sort": "newest"},
        {"size": 5, "q": "russia OR ukraine"},
        {"size": 4, "sort": "oldest", "language": "en"},
    ):
        first = (await client.get("/search", params={**params, "size": 100})).json()
        hits = await all_pages(client, params)
        ids = [h["id"] for h in hits]
        assert len(ids) == len(set(ids)) == first["total"], params
        assert set(ids) == {h["id"] for h in first["hits"]}


async def test_sort_newest_and_oldest(client: httpx.AsyncClient) -> None:
    newest = (await client.get("/search", params={"sort": "newest", "size": 100})).json()["hits"]
    dates = [h["published"] for h in newest]
    assert dates[-1] is None  # undated last
    assert dates[:-1] == sorted(dates[:-1], reverse=True)
    oldest = (await client.get("/search", params={"sort": "oldest", "size": 100})).json()["hits"]
    assert [h["published"] for h in oldest][:-1] == sorted(dates[:-1])


@pytest.mark.parametrize(
    ("params", "status", "parameter"),
    [
        ({"size": 101}, 422, "size"),
        ({"size": 0}, 422, "size"),
        ({"cursor": "not a cursor!"}, 400, "cursor"),
        ({"cursor": "eyJmb28iOjF9"}, 400, "cursor"),  # valid base64 JSON, wrong shape
        ({"published_from": "2024-05-01", "published_to": "2024-04-01"}, 422, "published_from"),
        ({"published_from": "yesterday"}, 422, "published_from"),
        ({"q": 'ukraine "black sea'}, 422, "q"),
        ({"sort": "popular"}, 422, "sort"),
        ({"interval": "hour"}, 422, "interval"),
        ({"country": "Ukraine"}, 422, "country"),
        ({"event_type": "BOMB"}, 422, "event_type"),
        ({"language": "english"}, 422, "language"),
        ({"facet_size": 1000}, 422, "facet_size"),
        ({"actor_type": "alien"}, 422, "actor_type"),
    ],
)
async def test_bad_input_names_the_parameter(
    client: httpx.AsyncClient, params: dict[str, Any], status: int, parameter: str
) -> None:
    r = await client.get("/search", params=params)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["parameter"] == parameter
    assert body["status"] == status and body["message"]


async def test_cursor_of_another_query_and_expired_cursor(
    client: httpx.AsyncClient, es: Any
) -> None:
    body = (await client.get("/search", params={"size": 5, "sort": "newest"})).json()
    cursor = body["next_cursor"]
    r = await client.get(
        "/search", params={"size": 5, "sort": "newest", "site": "dw.com", "cursor": cursor}
    )
    assert r.status_code == 400 and r.json()["parameter"] == "cursor"
    r = await client.get("/search", params={"size": 5, "sort": "oldest", "cursor": cursor})
    assert r.status_code == 400 and r.json()["parameter"] == "cursor"

    import base64
    import json

    def pit_of(cursor: str) -> Any:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["pit"]

    # The first page opens no point in time; the second does, and its cursor carries it.
    assert pit_of(cursor) is None
    second = (
        await client.get("/search", params={"size": 5, "sort": "newest", "cursor": cursor})
    ).json()
    cursor = second["next_cursor"]
    es.close_point_in_time(id=pit_of(cursor))
    r = await client.get("/search", params={"size": 5, "sort": "newest", "cursor": cursor})
    assert r.status_code == 410, r.text
    assert r.json()["parameter"] == "cursor"


def _cursor_fields(cursor: str | None) -> Any:
    import base64
    import json

    if cursor is None:
        return None
    data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    return {k: v for k, v in data.items() if k != "pit"}  # a later page opens its own PIT


@pytest.mark.parametrize(
    ("plain", "unusual"),
    [
        # What pydantic accepts beyond the plain spelling means the same.
        ({"size": "5", "facets": "true", "q": "russia"}, {"size": "05", "facets": "True"}),
        (
            {"size": "3", "sort": "newest", "published_from": "2024-01-01", "facet_size": "4"},
            {"facet_size": "+4"},
        ),
        ({"size": "4", "event_type": "ASSAULT", "language": "en"}, {"size": " 4"}),
    ],
)
@pytest.mark.parametrize("path", ["/search", "/events"])
async def test_unusual_spellings_answer_like_plain_ones(
    client: httpx.AsyncClient, path: str, plain: dict[str, str], unusual: dict[str, str]
) -> None:
    first = await client.get(path, params=plain)
    second = await client.get(path, params={**plain, **unusual})
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    a, b = first.json(), second.json()
    assert _cursor_fields(a.pop("next_cursor")) == _cursor_fields(b.pop("next_cursor"))
    assert a == b


@pytest.mark.parametrize(
    ("path", "params", "unknown"),
    [
        ("/events", {"type": "ASSAULT"}, "type"),  # the filter is `event_type`
        ("/search", {"q": "russia", "countries": "UKR"}, "countries"),
        ("/timeline", {"of": "events", "event_types": "AID"}, "event_types"),
        ("/actors", {"q": "putin", "limit": "3"}, "limit"),
        ("/articles/x", {"fields": "title"}, "fields"),
    ],
)
async def test_unknown_parameters_are_400_naming_them_and_the_known_ones(
    client: httpx.AsyncClient, path: str, params: dict[str, str], unknown: str
) -> None:
    r = await client.get(path, params=params)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["parameter"] == unknown and body["error"] == "bad_request"
    openapi = (await client.get("/openapi.json")).json()
    route = "/articles/{doc_id}" if path.startswith("/articles/") else path
    declared = [
        p["name"] for p in openapi["paths"][route]["get"]["parameters"] if p["in"] == "query"
    ]
    assert all(name in body["message"] for name in declared), body["message"]


async def test_the_explorer_page_keeps_its_state_in_any_query_parameter(
    client: httpx.AsyncClient,
) -> None:
    # A shared explorer link carries the view's state; the page is not an API endpoint.
    r = await client.get("/explore", params={"country": "USA", "person": "person:x"})
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]


@pytest.mark.parametrize("path", ["/search", "/events", "/timeline"])
async def test_every_declared_parameter_is_documented(client: httpx.AsyncClient, path: str) -> None:
    from newsflow_api.query.params import EventsParams, SearchParams, TimelineParams

    model = {"/search": SearchParams, "/events": EventsParams, "/timeline": TimelineParams}[path]
    openapi = (await client.get("/openapi.json")).json()
    params = openapi["paths"][path]["get"]["parameters"]
    assert {p["name"] for p in params} == set(model.model_fields)
    assert all(p.get("description") for p in params), [
        p["name"] for p in params if not p.get("description")
    ]
