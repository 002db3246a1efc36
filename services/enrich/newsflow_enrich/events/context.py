"""What the parts of the event extractor share: the doc, its resolved actors and quotes."""

from __future__ import annotations

from datetime import date

from spacy.tokens import Doc, Span

from newsflow_enrich.quotes import QuoteSpans
from newsflow_enrich.resolve import Resolver


class DocContext:
    """The state an `EventExtractor` holds for one doc (set in its `__init__`)."""

    doc: Doc
    r: Resolver
    quotes: QuoteSpans
    published: date | None
    _according: dict[int, list[str]]
    _named: dict[int, dict[str, int]]

    def sentence_actors(self, sent: Span) -> dict[str, int]:
        """The actors a sentence names, each with the token where it is first named, in
        sentence order (computed once per sentence)."""
        if sent.start not in self._named:
            first: dict[str, int] = {}
            for i in range(sent.start, sent.end):
                actor = self.r.token_actor.get(i)
                if actor is not None:
                    first.setdefault(actor, i)
            self._named[sent.start] = first
        return self._named[sent.start]
