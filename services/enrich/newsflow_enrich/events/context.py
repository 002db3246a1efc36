"""What the parts of the event extractor share: the doc, its resolved actors and quotes."""

from __future__ import annotations

from datetime import date

from spacy.tokens import Doc

from newsflow_enrich.quotes import QuoteSpans
from newsflow_enrich.resolve import Resolver


class DocContext:
    """The state an `EventExtractor` holds for one doc (set in its `__init__`)."""

    doc: Doc
    r: Resolver
    quotes: QuoteSpans
    published: date | None
    _according: dict[int, list[str]]
