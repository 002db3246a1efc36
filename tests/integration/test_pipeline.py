"""The pipeline end to end on real Redis, real Elasticsearch, real Celery worker processes
and a real local HTTP server: every item is accounted for, with the right state and reason."""

from __future__ import annotations

import statistics

import pytest

from helpers import SEED, SEEDS, stored_article, word_f1
from newsflow_testkit import pageserver
from newsflow_testkit.corpus import CORPUS, fundus_pages, wcxb_pages
from newsflow_testkit.workers import wait_for_job

pytestmark = pytest.mark.integration

GOOD = fundus_pages(14) + wcxb_pages(16, start=40)
# path -> (state, reason) every bad case must end in
BAD = {
    "/missing": ("rejected", "http_404"),
    "/gone": ("rejected", "http_410"),
    "/always500": ("failed", None),
    "/slow": ("failed", None),
    "/loop": ("rejected", "too_many_redirects"),
    "/big": ("rejected", "too_large"),
    "/image.png": ("rejected", "unsupported_content_type"),
    "/empty": ("rejected", "empty"),
    "/nav": ("rejected", "no_content"),
    "/to-loopback": ("rejected", "blocked_address"),
    "/to-metadata": ("rejected", "blocked_address"),
    "/private/article": ("rejected", "robots_disallowed"),
}


@pytest.fixture(scope="module")
def server():  # type: ignore[no-untyped-def]
    srv = pageserver.start(
        CORPUS,
        slow_seconds=4.0,
        flaky_page=GOOD[0].path,
        feed_paths=[f"/corpus/{p.path}" for p in GOOD[:3]] + ["/missing"],
    )
    yield srv
    srv.shutdown()


def base(server) -> str:  # type: ignore[no-untyped-def]
    return f"http://localhost:{server.server_address[1]}"


@pytest.fixture(scope="module")
def first_run(runtime, workers, server):  # type: ignore[no-untyped-def]
    from newsflow_shared.submit import Submitter

    sub = Submitter(runtime, source="pipeline test")
    urls = {f"{base(server)}/corpus/{p.path}": p for p in GOOD}
    for u in urls:
        sub.url(u)
    for path in [*BAD, "/flaky", "/legacy"]:
        sub.url(base(server) + path)
    sub.url("ftp://example.org/file.html")
    summary = wait_for_job(runtime, sub.sub.job_id, timeout=240)
    items = {rec["source"]: rec for rec in runtime.ledger.items(sub.sub.job_id)}
    runtime.es.indices.refresh(index=f"{runtime.settings.index_prefix}articles")
    return sub.sub.job_id, summary, items, urls


def test_every_item_is_accounted_for(first_run) -> None:  # type: ignore[no-untyped-def]
    _, summary, items, urls = first_run
    assert summary["done"], summary
    assert summary["submitted"] == len(urls) + len(BAD) + 3
    assert summary["in_flight"] == 0
    counts = summary["counts"]
    assert sum(counts.values()) == summary["submitted"]
    for rec in items.values():
        assert rec["state"] in ("indexed", "rejected", "failed"), rec
        if rec["state"] == "rejected":
            assert rec.get("reason"), rec
        if rec["state"] == "failed":
            assert rec.get("error"), rec


def test_bad_cases_end_with_the_right_state_and_reason(first_run, server) -> None:  # type: ignore[no-untyped-def]
    _, _, items, _ = first_run
    for path, (state, reason) in BAD.items():
        rec = items[base(server) + path]
        assert rec["state"] == state, (path, rec)
        if reason:
            assert rec["reason"] == reason, (path, rec)
    assert "timeout" in items[base(server) + "/slow"]["error"]
    assert items["ftp://example.org/file.html"]["reason"] == "unsupported_scheme"
    # 169.254.169.254 was refused before any connection; retries never reached the server
    assert server.hits["/to-metadata"] == 1
    assert server.hits["/private/article"] == 0  # robots.txt said no: never requested
    assert server.hits["/missing"] == 1  # permanent errors are not retried
    assert server.hits["/always500"] == 3  # 1 try + 2 retries (NEWSFLOW_MAX_RETRIES=2)


def test_transient_error_then_success_is_indexed(first_run, server) -> None:  # type: ignore[no-untyped-def]
    _, _, items, _ = first_run
    rec = items[base(server) + "/flaky"]
    assert rec["state"] == "indexed", rec
    # deliveries put back until the host's turn (deferrals) are not attempts
    assert int(rec["attempts:fetch"]) - int(rec.get("deferrals:fetch", 0)) == 2


def test_legacy_charset_is_decoded(first_run, runtime, server) -> None:  # type: ignore[no-untyped-def]
    _, _, items, _ = first_run
    rec = items[base(server) + "/legacy"]
    assert rec["state"] == "indexed", rec
    doc = stored_article(runtime.es, runtime.settings.index_prefix, rec["doc_id"])
    assert "Президент Украины" in doc["text"]
    assert doc["language"] == "ru"
    assert doc["events"] == []  # no English-only enrichment on a Russian page


def test_indexed_articles_match_ground_truth(first_run, runtime) -> None:  # type: ignore[no-untyped-def]
    _, _, items, urls = first_run
    title_ok, f1s = 0, []
    for url, page in urls.items():
        rec = items[url]
        assert rec["state"] in ("indexed", "rejected"), rec
        if rec["state"] != "indexed":
            continue
        doc = stored_article(runtime.es, runtime.settings.index_prefix, rec["doc_id"])
        title_ok += word_f1(doc["title"], page.title) >= 0.9
        f1s.append(word_f1(doc["text"], page.body))
    indexed = len(f1s)
    assert indexed >= 0.9 * len(urls), f"only {indexed}/{len(urls)} indexed"
    assert title_ok >= 0.85 * indexed
    assert statistics.median(f1s) >= 0.85, f1s
    assert statistics.mean(f1s) >= 0.75, f1s


def test_reingest_updates_not_duplicates(first_run, runtime, server) -> None:  # type: ignore[no-untyped-def]
    from newsflow_shared.submit import Submitter

    _, _, _, urls = first_run
    index = f"{runtime.settings.index_prefix}articles"
    before = runtime.es.count(index=index)["count"]
    sub = Submitter(runtime, source="re-ingest")
    for u in list(urls)[:10]:
        sub.url(u.replace("localhost", "LOCALHOST") + "?utm_source=x#frag")  # same canonical URL
    summary = wait_for_job(runtime, sub.sub.job_id)
    assert summary["counts"].get("indexed") == 10, summary
    runtime.es.indices.refresh(index=index)
    assert runtime.es.count(index=index)["count"] == before


def test_feed_items_join_the_job(runtime, workers, server) -> None:  # type: ignore[no-untyped-def]
    from newsflow_shared.submit import Submitter

    sub = Submitter(runtime, source="feed test")
    sub.feed(base(server) + "/feed.xml")
    summary = wait_for_job(runtime, sub.sub.job_id)
    assert summary["submitted"] == 5  # the feed + its 4 items
    assert summary["counts"] == {"expanded": 1, "indexed": 3, "rejected": 1}, summary
    feed_items = runtime.ledger.items(sub.sub.job_id)
    assert feed_items[0]["children"] == "4"


def test_seed_text_file_is_searchable(runtime, workers) -> None:  # type: ignore[no-untyped-def]
    from newsflow_shared.submit import Submitter

    sub = Submitter(runtime, source="seeds")
    sub.any(str(SEEDS))
    summary = wait_for_job(runtime, sub.sub.job_id)
    assert summary["counts"] == {"indexed": summary["submitted"]}, summary
    index = f"{runtime.settings.index_prefix}articles"
    runtime.es.indices.refresh(index=index)
    # Every word: with monthly partitions each scores its own term statistics, so an
    # any-word match may rank another month's article (from other tests) first.
    res = runtime.es.search(
        index=index,
        query={"match": {"text": {"query": "hour-long conversation Ushakov", "operator": "and"}}},
    )
    titles = [h["_source"]["title"] for h in res["hits"]["hits"]]
    assert titles and titles[0] == SEED.read_text().splitlines()[0].strip()


def test_folder_of_mixed_inputs_is_fully_accounted(runtime, workers, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from newsflow_shared.submit import Submitter

    page = GOOD[1]
    (tmp_path / "list.urls").write_text(
        f"# a comment\n{base(server)}/corpus/{page.path}\n{base(server)}/missing\n"
    )
    (tmp_path / "urls.txt").write_text(f"{base(server)}/corpus/{GOOD[2].path}\n")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "story.html").write_text(
        "<html><head><link rel='canonical' href='https://news.example/story-1'></head><body><article>"
        "<h1>Ministers agree on a new grid plan</h1>"
        + "".join(
            f"<p>Paragraph {i}: the energy ministers of five countries met in Vienna and agreed on a plan.</p>"
            for i in range(6)
        )
        + "</article></body></html>"
    )
    (tmp_path / ".hidden.txt").write_text("ignored")
    sub = Submitter(runtime, source="folder")
    sub.any(str(tmp_path))
    sub.any(str(tmp_path / "does-not-exist.html"))
    summary = wait_for_job(runtime, sub.sub.job_id)
    items = {r["source"]: r for r in runtime.ledger.items(sub.sub.job_id)}
    assert summary["submitted"] == 6 and summary["done"], summary
    assert items[str(tmp_path / "report.pdf")]["reason"] == "unsupported_file_type"
    assert items[str(tmp_path / "does-not-exist.html")]["reason"] == "not_found"
    assert items[f"{base(server)}/missing"]["reason"] == "http_404"
    story = items[str(tmp_path / "story.html")]
    assert story["state"] == "indexed"
    from newsflow_shared.ids import doc_id_for_url

    assert story["doc_id"] == doc_id_for_url("https://news.example/story-1")
    assert summary["counts"] == {"indexed": 3, "rejected": 3}


def test_reprocess_without_the_http_server(first_run, runtime, workers, server) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from newsflow_cli.main import app

    _, _, items, urls = first_run
    server.shutdown()
    server.server_close()
    doc_id = items[next(iter(urls))]["doc_id"]
    result = CliRunner().invoke(
        app, ["reprocess", "--from", "parse", "--id", doc_id, "--timeout", "120"]
    )
    assert result.exit_code == 0, result.output
    job = runtime.ledger.recent_jobs(1)[0]
    assert runtime.ledger.summary(job)["counts"] == {"indexed": 1}


def test_a_long_article_is_indexed_with_offsets_into_its_whole_text(  # type: ignore[no-untyped-def]
    runtime, workers, tmp_path
) -> None:
    """Issue 12: a text of several parts (chunks.CHUNK_CHARS) is enriched and indexed whole;
    every event and quote points into the indexed text and no event id repeats."""
    from newsflow_enrich.chunks import CHUNK_CHARS
    from newsflow_shared.submit import Submitter

    body = "\n".join(p.body for p in fundus_pages(80))[: 3 * CHUNK_CHARS + 1000]
    path = tmp_path / "long.txt"
    path.write_text("A long compilation of the week's news\n" + body)
    sub = Submitter(runtime, source="long article")
    sub.any(str(path))
    summary = wait_for_job(runtime, sub.sub.job_id, timeout=300)
    assert summary["counts"] == {"indexed": 1}, summary
    rec = runtime.ledger.items(sub.sub.job_id)[0]
    assert "enriched_chars" not in rec  # under the bound: enriched whole
    prefix = runtime.settings.index_prefix
    runtime.es.indices.refresh(index=f"{prefix}articles,{prefix}events")
    doc = stored_article(runtime.es, prefix, rec["doc_id"])
    text = doc["text"]
    assert len(text) > 3 * CHUNK_CHARS
    for ev in doc["events"]:
        assert text[ev["sentence_start"] : ev["sentence_end"]] == ev["sentence"]
    assert max(ev["sentence_start"] for ev in doc["events"]) > 2 * CHUNK_CHARS
    for quote in doc["quotes"]:
        assert quote["text"] in text[quote["start"] : quote["end"]]
    # each actor's stored mention offsets (the explorer marks them) are one of its surface forms
    spans = [(a, sp) for a in doc["actors"] for sp in a["spans"]]
    assert spans
    for a, sp in spans:
        assert text[sp["start"] : sp["end"]] in a["aliases"], (a["id"], sp)
    assert all(len(a["spans"]) <= a["mentions"] for a in doc["actors"])
    assert max(sp["start"] for _, sp in spans) > 2 * CHUNK_CHARS
    events = runtime.es.count(
        index=f"{prefix}events", query={"term": {"article_id": rec["doc_id"]}}
    )["count"]
    assert events == len(doc["events"])
