import gzip
import statistics

import pytest

from helpers import SEED, word_f1
from newsflow_parse import core
from newsflow_shared.errors import PermanentError
from newsflow_shared.messages import SourceKind
from newsflow_testkit.corpus import CORPUS, fundus_pages

pytestmark = pytest.mark.unit


def _html(path: str) -> str:
    return gzip.decompress((CORPUS / path).read_bytes()).decode("utf-8", "replace")


def test_news_pages_parse_close_to_ground_truth() -> None:
    """Measured on all fundus-en pages: titles >= 0.9 word-F1 on 86%, body F1 mean 0.95."""
    pages = fundus_pages(200)
    titles, bodies = [], []
    for page in pages:
        art = core.parse_html(
            _html(page.path), doc_id="d", url="https://example.org/x", source_kind=SourceKind.URL
        )
        assert art.parser.startswith("trafilatura-")
        titles.append(word_f1(art.title, page.title) >= 0.9)
        bodies.append(word_f1(art.text, page.body))
    assert len(pages) >= 70
    assert sum(titles) / len(pages) >= 0.8
    assert statistics.mean(bodies) >= 0.9
    assert statistics.median(bodies) >= 0.93


def test_metadata_of_a_news_page() -> None:
    art = core.parse_html(
        _html("fundus-en/us/APNews_2023_04_28.html.gz"),
        doc_id="d",
        url="https://apnews.com/x",
        source_kind=SourceKind.URL,
    )
    assert art.published is not None and art.published.date().isoformat() == "2023-04-28"
    assert art.authors == ["Associated Press"]
    assert art.site == "apnews.com"
    assert art.language == "en"
    assert not art.text.startswith("Mexico's economy grew")  # headline not repeated in the body


def test_pages_without_an_article_are_rejected() -> None:
    for html in ("", "   ", "<html><body><nav><a href='/'>Home</a></nav></body></html>"):
        with pytest.raises(PermanentError) as e:
            core.parse_html(html, doc_id="d", url=None, source_kind=SourceKind.URL)
        assert e.value.reason == "no_content"


def test_seed_text_file() -> None:
    art = core.parse_text(SEED.read_text(), doc_id="c1")
    assert art.title == "Putin tells Trump Russia won't back down from its war aims in Ukraine"
    assert art.text.startswith("During a phone call with U.S. President Donald Trump on July 3")
    assert art.source_kind is SourceKind.TEXT_FILE
    with pytest.raises(PermanentError):
        core.parse_text("only a headline\n", doc_id="c2")


def test_decode_uses_the_detected_charset() -> None:
    raw = "Киев".encode("cp1251")
    assert core.decode(raw, "windows-1251") == "Киев"
    assert core.decode(b"abc", "bogus-codec") == "abc"
