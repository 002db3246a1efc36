"""Parsing as pure functions: a stored page (or text file) in, a ParsedArticle out."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import htmldate
import lxml.html
import trafilatura
from trafilatura.settings import Document

from newsflow_shared.errors import PermanentError
from newsflow_shared.messages import ParsedArticle, SourceHints, SourceKind

PARSER = f"trafilatura-{trafilatura.__version__}"
MIN_CHARS = 200  # below this a page is navigation, a paywall stub or an error page
_LANG = re.compile(r"^[a-zA-Z]{2,3}")


def decode(raw: bytes, encoding: str | None) -> str:
    """Bytes to text with the charset the fetch stage detected (utf-8 when unknown)."""
    try:
        return raw.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


def _as_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        d = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _html_lang(tree: lxml.html.HtmlElement | None) -> str | None:
    if tree is None:
        return None
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    m = _LANG.match(lang or "")
    return m.group(0).lower() if m else None


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _loose(s: str) -> str:
    return " ".join(s.translate(_QUOTES).lower().split())


_SITE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014-]{2,40}$")


def _headline(tree: lxml.html.HtmlElement, meta_title: str | None, site: str | None) -> str:
    """The article's headline: its single <h1> when there is one, else the metadata title.

    Metadata titles (og:title, <title>) are often SEO rewrites or carry a " | Site" suffix;
    the visible <h1> is what the reader (and the publisher's own ground truth) calls the title.
    """
    h1s = [" ".join(h.text_content().split()) for h in tree.iter("h1")]
    h1s = [h for h in h1s if len(h.split()) >= 3]
    if len(set(h1s)) == 1:
        return h1s[0]
    title = " ".join((meta_title or "").split())
    if site and title.lower().endswith(site.lower()):
        title = _SITE_SUFFIX.sub("", title)
    return title


def _authors(value: str | None) -> list[str]:
    if not value:
        return []
    return [a.strip() for a in value.split(";") if a.strip()]


def parse_html(
    html: str,
    *,
    doc_id: str,
    url: str | None,
    source_kind: SourceKind,
    hints: SourceHints | None = None,
    min_chars: int = MIN_CHARS,
) -> ParsedArticle:
    """Extract text and metadata with trafilatura. Raises PermanentError when there is no article."""
    if not html.strip():
        raise PermanentError("no_content", "empty page")
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise PermanentError("unparseable", str(exc)) from exc
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    if doc is not None and not isinstance(doc, Document):  # as_dict=False returns one
        raise PermanentError("unparseable", f"extractor returned {type(doc).__name__}")
    text = (doc.text or "").strip() if doc else ""
    if doc is None or len(text) < min_chars:
        raise PermanentError("no_content", f"no article body ({len(text)} chars of text)")
    title = _headline(tree, doc.title, doc.sitename) or (hints.title if hints else None) or ""
    first, _, rest = text.partition("\n")
    if title and rest and _loose(first) == _loose(title):
        # trafilatura often repeats the headline as the first line of the body
        text = rest.lstrip()
    published = _as_datetime(doc.date)
    if published is None:
        found = htmldate.find_date(tree, extensive_search=True, original_date=True)
        published = _as_datetime(found) or (hints.published if hints else None)
    page_url = doc.url if doc.url and doc.url.startswith("http") else url
    return ParsedArticle(
        doc_id=doc_id,
        url=url,
        canonical_url=page_url,
        title=title or text.split("\n", 1)[0][:200],
        text=text,
        authors=_authors(doc.author),
        published=published,
        language=doc.language or _html_lang(tree),
        site_name=doc.sitename,
        site=(urlsplit(page_url).hostname if page_url else None) or doc.hostname,
        description=doc.description or (hints.summary if hints else None),
        image=doc.image,
        tags=sorted({t.strip() for t in (doc.tags or []) + (doc.categories or []) if t.strip()})[
            :50
        ],
        source_kind=source_kind,
        parser=PARSER,
    )


def parse_text(raw: str, *, doc_id: str, hints: SourceHints | None = None) -> ParsedArticle:
    """A seed-shaped text file: the first non-empty line is the headline, the rest the body.

    A text file carries no metadata; its sidecar hints (publication date, URL) fill it in.
    """
    lines = raw.replace("\r\n", "\n").strip().split("\n", 1)
    title = lines[0].strip()
    text = lines[1].strip() if len(lines) > 1 else ""
    if not title or not text:
        raise PermanentError("no_content", "a text file needs a headline line and a body")
    return ParsedArticle(
        doc_id=doc_id,
        title=title,
        text=text,
        source_kind=SourceKind.TEXT_FILE,
        parser="text-1",
        published=hints.published if hints else None,
        url=hints.url if hints else None,
        canonical_url=hints.url if hints else None,
        site=(urlsplit(hints.url).hostname if hints and hints.url else None),
        description=hints.summary if hints else None,
    )
