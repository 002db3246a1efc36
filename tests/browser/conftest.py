"""Browser-test fixtures: real corpus pages parsed, enriched and indexed into indices of their
own, the API as a real process over them (and one over a closed Elasticsearch port), and
Debian's Chromium driven by Playwright. The processes live as long as a test module, so the
rest of the suite does not share the machine with them.

The corpus goes through the stages' own cores (parse_html/parse_text, the configured
enricher, the index stage's write_batch) in this process: the same documents the workers
would index, without waiting for a queue.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import REPO, SEED
from newsflow_testkit.api import free_port, running_api
from newsflow_testkit.corpus import CORPUS

CHROMIUM = os.environ.get("NEWSFLOW_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = REPO / "services" / "api" / "screenshots"
# Real news pages (enough for two result pages of 20) and the seed article.
N_PAGES = 26


@pytest.fixture(scope="session")
def browser_prefix(es, settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Indices of the browser tests' own: what the page shows is exactly this corpus."""
    from newsflow_shared.indices import drop_indices, init_indices

    prefix = f"{settings.index_prefix}browser-"
    init_indices(es, prefix)
    yield prefix
    drop_indices(es, prefix)


def _parsed_corpus() -> list[Any]:
    from newsflow_parse.core import parse_html, parse_text
    from newsflow_shared.errors import PermanentError
    from newsflow_shared.ids import doc_id_for_content
    from newsflow_shared.messages import SourceHints, SourceKind

    meta = json.loads(SEED.with_suffix(".meta.json").read_text())
    raw_seed = SEED.read_bytes()
    out = [
        parse_text(
            raw_seed.decode(),
            doc_id=doc_id_for_content(raw_seed),
            hints=SourceHints(published=meta["published"]),
        )
    ]
    for path in sorted(CORPUS.glob("fundus-en/*/*.html.gz")):
        raw = gzip.decompress(path.read_bytes())
        try:
            out.append(
                parse_html(
                    raw.decode("utf-8", "replace"),
                    doc_id=doc_id_for_content(raw),
                    url=None,
                    source_kind=SourceKind.HTML_FILE,
                )
            )
        except PermanentError:
            continue
        if len(out) > N_PAGES:
            break
    return out


@pytest.fixture(scope="session")
def browser_corpus(es, browser_prefix) -> list[Any]:  # type: ignore[no-untyped-def]
    """The seed and N_PAGES fundus-en pages, parsed, enriched and indexed (refreshed)."""
    from newsflow_enrich.loader import load_enricher
    from newsflow_index.bulk import write_batch

    articles = _parsed_corpus()
    enrichments = load_enricher().enrich_many(
        [(a.title, a.text, a.published, a.doc_id) for a in articles]
    )
    outcome = write_batch(es, browser_prefix, list(zip(articles, enrichments, strict=True)))
    assert not outcome.retry and not outcome.rejected, outcome
    es.indices.refresh(index=f"{browser_prefix}*")
    return articles


@pytest.fixture(scope="module")
def api_url(browser_corpus, browser_prefix) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The API as `make up` runs it, over the browser corpus."""
    with running_api({**os.environ, "NEWSFLOW_INDEX_PREFIX": browser_prefix}) as url:
        yield url


@pytest.fixture(scope="module")
def dead_api_url(browser_prefix) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An API whose Elasticsearch is a closed port: it really answers 503."""
    env = {
        **os.environ,
        "NEWSFLOW_INDEX_PREFIX": browser_prefix,
        "NEWSFLOW_ES_URL": f"http://127.0.0.1:{free_port()}",
    }
    with running_api(env, ready_path="/healthz") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium (installed by `make test`), headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs it (apt-get chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """A fresh browser context (no shared cookies or cache) and page per test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    pg.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield pg
    context.close()
    assert not problems, problems  # the script threw, or the page broke its own CSP


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
