"""The explorer page in Debian's Chromium against the real API over real indexed corpus pages.

Every check compares what the page shows with what the API answers for the same request.
"""

from __future__ import annotations

import re
import statistics
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

pytestmark = pytest.mark.browser

SEED_QUERY = '"phone call" Ushakov'
FACET_MEASURE = "explore:facet-to-results"


def api_get(base: str, path: str, params: Any = None) -> Any:
    r = httpx.get(base + path, params=params, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def settled(page: Any) -> None:
    """Wait until the view has rendered (no request in flight)."""
    page.wait_for_selector("main:not([aria-busy]) h1")


def wait_until(page: Any, expression: str, timeout: float = 20.0) -> None:
    """Poll a JavaScript expression until it is true. (Playwright's wait_for_function
    evaluates its argument inside the page, which the page's CSP rightly forbids.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.02)


def measures(page: Any) -> int:
    return int(page.evaluate(f"performance.getEntriesByName('{FACET_MEASURE}').length"))


def click_facet(page: Any, param: str, index: int = 0, keyboard: bool = False) -> str:
    """Tick a facet value (with a click or the space bar); waits for the results. Its value."""
    before = measures(page)
    box = page.locator(f'fieldset[data-facet="{param}"] input[type=checkbox]').nth(index)
    value = str(box.get_attribute("value"))
    if keyboard:
        box.focus()
        page.keyboard.press("Space")
    else:
        box.click()
    wait_until(page, f"performance.getEntriesByName('{FACET_MEASURE}').length > {before}")
    settled(page)
    return value


def shown_counts(page: Any, param: str) -> dict[str, int]:
    rows = page.locator(f'fieldset[data-facet="{param}"] > ul > li')
    out = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        value = row.locator("> input").get_attribute("value")
        n = shown_count(row)
        if n is not None:
            out[str(value)] = n
    return out


def shown_count(row: Any) -> int | None:
    """The number a facet row shows (None for "–"), without its screen-reader words."""
    n = row.locator("label .n").evaluate("e => e.firstChild.textContent").replace(",", "")
    return None if n == "–" else int(n)


def search_time(api_url: str) -> tuple[int, float]:
    """How many /search requests the API has served, and the seconds it spent on them, by its
    own Prometheus histogram."""
    text = httpx.get(f"{api_url}/metrics", timeout=30).text
    found = {}
    for part in ("count", "sum"):
        m = re.search(
            rf'^newsflow_api_request_duration_seconds_{part}{{method="GET",route="/search"}} (\S+)$',
            text,
            re.M,
        )
        found[part] = float(m.group(1)) if m else 0.0
    return int(found["count"]), found["sum"]


def page_params(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_search_two_facets_timing_and_shared_url(
    page: Any, browser: Any, api_url: str, screenshots: Any
) -> None:
    page.goto(f"{api_url}/explore")
    settled(page)
    everything = api_get(api_url, "/search", {"size": 1})
    assert page.inner_text("#count") == f"{everything['total']} articles"

    country = click_facet(page, "country")
    served, spent = search_time(api_url)
    person = click_facet(page, "person", keyboard=True)  # keyboard: focus and space
    served_after, spent_after = search_time(api_url)
    assert served_after == served + 1  # the click cost exactly one /search
    # the keyboard user is still on the box they ticked, in the rebuilt view
    assert page.evaluate("[document.activeElement.name, document.activeElement.value]") == [
        "person",
        person,
    ]
    server_ms = (spent_after - spent) * 1000
    assert page_params(page) == {"country": [country], "person": [person]}
    params = {"country": country, "person": person, "size": 20, "facet_size": 10}
    want = api_get(api_url, "/search", params)
    assert page.inner_text("#count") == f"{want['total']} articles"
    assert 0 < want["total"] < everything["total"]
    titles = page.locator("#hits > li h3").all_inner_texts()
    assert titles == [h["title"] for h in want["hits"]]
    # multi-select counts, exactly as /search computes them
    for param, key in [("country", "countries"), ("person", "persons"), ("site", "sites")]:
        api_counts = {b["value"]: b["count"] for b in want["facets"][key]}
        assert shown_counts(page, param) == api_counts, param

    # the page's own timing of the last facet click, next to the API alone for that request
    entries = page.evaluate(
        """name => performance.getEntriesByName(name).map(m => {
             const r = performance.getEntriesByType('resource')
               .filter(e => e.name === m.detail.request).pop();
             return {click: m.duration, request: m.detail.request,
                     fetch: r ? r.duration : null, ttfb: r ? r.responseStart - r.requestStart : null};
           })""",
        FACET_MEASURE,
    )
    assert len(entries) == 2 and all(e["fetch"] is not None for e in entries), entries
    last = entries[-1]
    assert "/search?" in last["request"] and f"person={person.split()[0]}" in last["request"]
    # (the API's own time ends when its handler returns, after the last byte is sent: on a
    # busy machine it can exceed what the browser saw)
    assert last["click"] >= last["fetch"] > 0 and server_ms > 0
    direct = []
    for _ in range(5):
        t = time.perf_counter()
        httpx.get(last["request"], timeout=30).raise_for_status()
        direct.append((time.perf_counter() - t) * 1000)
    print(
        f"\nfacet click -> results shown: {[round(e['click'], 1) for e in entries]} ms "
        f"(the page's fetch of /search: {[round(e['fetch'], 1) for e in entries]} ms, "
        f"time to first byte {[round(e['ttfb'], 1) for e in entries]} ms); "
        f"the API's own time for the last one: {server_ms:.1f} ms (its request histogram); "
        f"the same URL requested again: median {statistics.median(direct):.1f} ms "
        f"of 5 (min {min(direct):.1f})"
    )
    page.screenshot(path=str(screenshots / "search.png"))

    # what a screen reader is given: every control named, facets as named groups
    unnamed = page.locator("input, select, button").evaluate_all(
        """els => els.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                 && !e.textContent.trim()).map(e => e.outerHTML)"""
    )
    assert unnamed == []
    persons = page.get_by_role("group", name="Persons")
    assert persons.get_by_role("checkbox", name=re.compile(re.escape(person))).is_checked()
    assert page.get_by_role("alert").count() == 0  # no error, so no alert to hear

    # the URL is the state: a fresh browser context opens the same view
    shared = page.url
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        p2 = other.new_page()
        p2.goto(shared)
        settled(p2)
        assert p2.inner_text("#count") == page.inner_text("#count")
        assert p2.locator("#hits > li h3").all_inner_texts() == titles
        checked = p2.locator("aside input[type=checkbox]:checked")
        assert sorted(checked.evaluate_all("els => els.map(e => e.value)")) == sorted(
            [country, person]
        )
    finally:
        other.close()


def test_more_pages_through_every_hit(page: Any, api_url: str) -> None:
    total = api_get(api_url, "/search", {"size": 1, "facets": "false"})["total"]
    page.goto(f"{api_url}/explore")
    settled(page)
    page.select_option("#sort", "newest")
    page.wait_for_url("**sort=newest")
    settled(page)
    hits = page.locator("#hits > li")
    assert hits.count() == 20 < total
    page.click("#more")
    wait_until(page, f"document.querySelectorAll('#hits > li').length === {total}")
    assert page.locator("#more").is_hidden()
    ids = hits.locator("h3 a").evaluate_all("as => as.map(a => a.href)")
    assert len(set(ids)) == total
    metas = hits.locator(".meta").all_inner_texts()
    dates = [m.group() for t in metas if (m := re.search(r"\d{4}-\d\d-\d\d", t))]
    assert len(dates) > 20 and dates == sorted(dates, reverse=True)

    # the histogram by keyboard: the last month with articles, then widened to the one before
    bars = page.locator("#histogram rect.bar[tabindex]")
    bars.last.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**published_to=*")
    settled(page)
    newest = page_params(page)
    assert newest["published_from"][0][:7] == dates[0][:7]
    assert page.evaluate("document.activeElement.dataset.i") == bars.last.get_attribute("data-i")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Shift+Enter")
    page.wait_for_url(lambda u: "published_from=" + newest["published_from"][0] not in u)
    settled(page)
    two = page_params(page)
    assert two["published_from"][0] < newest["published_from"][0]
    assert two["published_to"] == newest["published_to"]
    want = api_get(
        api_url,
        "/search",
        {"published_from": two["published_from"], "published_to": two["published_to"]},
    )
    assert page.inner_text("#count") == f"{want['total']} articles"


def test_article_evidence_and_actor_profile(page: Any, api_url: str, screenshots: Any) -> None:
    page.goto(f"{api_url}/explore")
    settled(page)
    page.fill("#q", SEED_QUERY)
    page.press("#q", "Enter")
    page.wait_for_url("**q=*")
    settled(page)
    first = page.locator("#hits > li h3 a").first
    assert "Putin tells Trump" in first.inner_text()
    marks = page.locator("#hits > li").first.locator(".snippet mark").all_inner_texts()
    assert marks and {m.lower() for m in marks} <= {"phone call", "phone", "call", "ushakov"}
    first.click()
    page.wait_for_selector("#article-text mark.evidence")
    doc_id = page_params(page)["id"][0]
    article = api_get(api_url, f"/articles/{doc_id}")
    text = article["text"]

    # every event's evidence sentence is highlighted exactly at its stored offsets
    spans = page.evaluate(
        """() => { const out = {};
             for (const m of document.querySelectorAll('#article-text mark.evidence'))
               out[m.dataset.event] = (out[m.dataset.event] || '') + m.textContent;
             return out; }"""
    )
    placed = [e for e in article["events"] if e.get("sentence_start") is not None]
    assert placed
    shown = set(spans)
    for e in placed:
        if e["id"] in shown:  # an overlapping later sentence may cover a piece of it
            assert spans[e["id"]] in text[e["sentence_start"] : e["sentence_end"]]
    whole = [
        e for e in placed if spans.get(e["id"]) == text[e["sentence_start"] : e["sentence_end"]]
    ]
    assert any(e["sentence"] in spans[e["id"]] for e in whole), "no evidence sentence whole"
    assert page.locator("#article-events tbody tr").count() == len(article["events"])
    marked = page.locator("#article-text mark.evidence").first
    assert marked.evaluate("e => getComputedStyle(e).backgroundColor") not in (
        "rgba(0, 0, 0, 0)",
        "transparent",
    )
    phone = [e for e in article["events"] if e["type"] == "CONSULT" and e["mode"] == "phone"]
    assert phone and page.locator(f'mark.evidence[data-event="{phone[0]["id"]}"]').count()
    # every actor mention is marked exactly at the offsets the API stores for it
    mentions = page.evaluate(
        """() => { const out = {};
             for (const a of document.querySelectorAll('#article-text a.mention')) {
               const k = `${a.dataset.actor} ${a.dataset.start}`;
               out[k] = (out[k] || '') + a.textContent; }
             return out; }"""
    )
    stored = {
        f"{x['id']} {sp['start']}": text[sp["start"] : sp["end"]]
        for x in article["actors"]
        for sp in x["spans"]
    }
    assert stored and mentions == stored
    putin = next(x for x in article["actors"] if x["id"] == "person:vladimir-putin")
    assert putin["spans"] and {text[sp["start"] : sp["end"]] for sp in putin["spans"]} & {
        "Putin",
        "Vladimir Putin",
    }
    assert page.locator("#article-text a.mention", has_text="Vladimir Putin").count() >= 1
    quotes = page.locator(".quotes > li")
    assert quotes.count() == len(article["quotes"]) > 0
    speakers = {q["speaker_name"] for q in article["quotes"] if q.get("speaker_name")}
    assert any(s in quotes.all_inner_texts()[i] for i in range(quotes.count()) for s in speakers)
    page.screenshot(path=str(screenshots / "article.png"))

    page.locator("dl.actors a", has_text="Vladimir Putin").click()
    page.wait_for_selector("#network")
    settled(page)
    profile = api_get(api_url, "/actors/person:vladimir-putin")
    assert page.inner_text("h1") == profile["name"]
    assert page.inner_text("#aliases") == ", ".join(profile["aliases"])
    assert page.locator("#network a").count() == min(12, len(profile["co_actors"]))
    source = page.locator("section[aria-labelledby=src-h] li").all_inner_texts()
    assert source == [f"{b['value']} {b['count']}" for b in profile["events_as_source"]]
    page.screenshot(path=str(screenshots / "actor.png"), full_page=True)

    co = profile["co_actors"][0]
    page.locator("#network a").first.click()
    wait_until(page, f"document.querySelector('h1')?.textContent === {co['name']!r}")
    page.go_back()
    wait_until(page, f"document.querySelector('h1')?.textContent === {profile['name']!r}")


def test_events_view_filters_facets_and_brush(page: Any, api_url: str, screenshots: Any) -> None:
    page.goto(f"{api_url}/explore?view=events")
    settled(page)
    types = api_get(api_url, "/events", {"size": 1})["facets"]["types"]
    assault = next(i for i, b in enumerate(types) if b["value"] == "ASSAULT")
    assert click_facet(page, "event_type", assault) == "ASSAULT"
    want = api_get(api_url, "/events", {"event_type": "ASSAULT", "size": 20})
    assert page.inner_text("#count") == f"{want['total']} events"
    rows = page.locator("#hits > tr")
    assert rows.count() == len(want["hits"])
    assert set(rows.locator("td:nth-child(2)").all_inner_texts()) == {"ASSAULT"}
    # mode counts: what /events finds with that mode instead of the others
    modes = page.locator('ul.modes[aria-label="Modes of ASSAULT"] li')
    assert modes.count() == 6
    for i in range(modes.count()):
        name = modes.nth(i).locator("label .name").inner_text()
        got = api_get(api_url, "/events", {"event_type": "ASSAULT", "event_mode": name})
        assert shown_count(modes.nth(i)) == got["total"], name

    # brush: drag over the histogram's bars sets the event-date range
    bars = page.locator("#histogram rect.bar")
    assert bars.count() >= 2
    a, b = bars.first.bounding_box(), bars.last.bounding_box()
    page.mouse.move(a["x"] + 1, a["y"] + a["height"] - 1)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] - 1, b["y"] + b["height"] - 1, steps=4)
    page.mouse.up()
    page.wait_for_url("**date_to=*")
    settled(page)
    params = page_params(page)
    assert params["date_from"][0] <= params["date_to"][0]
    ranged = api_get(
        api_url,
        "/events",
        {"event_type": "ASSAULT", "date_from": params["date_from"], "date_to": params["date_to"]},
    )
    assert page.inner_text("#count") == f"{ranged['total']} events"
    page.screenshot(path=str(screenshots / "events.png"))

    # the filters without a facet: the site of the article
    site = api_get(api_url, "/search", {"size": 1})["facets"]["sites"][0]["value"]
    page.fill("#f-site", site)
    page.get_by_role("group", name="Articles").get_by_role("button", name="Apply").click()
    page.wait_for_url("**site=*")
    settled(page)
    # the page's own state ("view") is not an /events parameter
    state = {k: v for k, v in page_params(page).items() if k != "view"}
    sited = api_get(api_url, "/events", {**state, "size": 1})
    assert page_params(page)["site"] == [site]
    assert page.inner_text("#count") == f"{sited['total']} events"


def test_api_errors_are_shown(page: Any, api_url: str, dead_api_url: str, screenshots: Any) -> None:
    assert httpx.get(f"{dead_api_url}/search", timeout=30).status_code == 503
    page.goto(f"{dead_api_url}/explore?q=ukraine")
    alert = page.locator("#alert")
    alert.wait_for(state="visible")
    assert alert.get_attribute("role") == "alert"
    assert "unavailable (503)" in alert.inner_text()
    page.screenshot(path=str(screenshots / "error-503.png"))

    page.goto(f"{api_url}/explore?published_from=2025-02-30")
    alert.wait_for(state="visible")
    assert "refused this request (422)" in alert.inner_text()
    assert "published_from" in alert.inner_text()

    page.goto(f"{api_url}/explore?view=article&id=no-such-article")
    alert.wait_for(state="visible")
    assert alert.inner_text() == "Not found (404): no article 'no-such-article'."


def test_page_routes(api_url: str) -> None:
    root = httpx.get(f"{api_url}/", timeout=30)
    assert root.status_code == 307 and root.headers["location"] == "/explore"
    page = httpx.get(f"{api_url}/explore", timeout=30)
    assert "default-src 'self'" in page.headers["content-security-policy"]
    js = httpx.get(f"{api_url}/explore/static/explore.js", timeout=30)
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    for name in ("index.html", "..%2Froutes%2Fexplore.py", "nope.js"):
        assert httpx.get(f"{api_url}/explore/static/{name}", timeout=30).status_code == 404


def test_actor_lookup(page: Any, api_url: str) -> None:
    page.goto(f"{api_url}/explore?view=actors")
    settled(page)
    assert page.locator("#actors > li").count() > 0
    page.fill("#q", "putin")
    page.press("#q", "Enter")
    page.wait_for_url("**view=actors&q=putin")
    settled(page)
    want = api_get(api_url, "/actors", {"q": "putin", "size": 50})["actors"]
    names = page.locator("#actors > li a").all_inner_texts()
    assert names == [a["name"] for a in want] and "Vladimir Putin" in names
