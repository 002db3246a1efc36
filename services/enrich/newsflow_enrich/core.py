"""The enrichment core: (title, text, published) -> Enrichment. Pure: no Celery, no settings.

Title and text are parsed as two docs (in one `nlp.pipe` stream); a text longer than
`CHUNK_CHARS` as several, its parts (chunks.py). All offsets (actor spans, event spans,
quote spans) are offsets into the whole `text`. The title contributes actor mentions
(counted in `mentions`, surface forms in `aliases`, but no span) and, optionally, events
whose `span` is (0, 0) and whose `sentence` is the title.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import NamedTuple, TypeVar

import numpy as np
import spacy
from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from spacy.language import Language as SpacyLanguage
from spacy.tokens import Doc

from newsflow_enrich.actors import ActorIndex, build_actors
from newsflow_enrich.chunks import CHUNK_CHARS, Part, batches, parse_parts, prefix
from newsflow_enrich.classify import POLICY, Policy, SentenceClassifier, default_classifier
from newsflow_enrich.events import EventExtractor
from newsflow_enrich.ner import NerBackend, SpacyNer
from newsflow_enrich.quotes import QuoteSpans, direct_quotes, reported_quotes
from newsflow_enrich.resolve import Resolver
from newsflow_shared.lemmas import enricher_name, lemma_string
from newsflow_shared.messages import Enrichment, Event, Quote, Span

ENRICHER_VERSION = "newsflow-enrich-2"
NEWLINE_SENTS = "newsflow_newline_sentences"


@SpacyLanguage.component(NEWLINE_SENTS)
def newline_sentences(doc: Doc) -> Doc:
    """Start a sentence after every line break: paragraphs never share a sentence."""
    text = doc.text
    if "\n" not in text:
        return doc
    # Vectorised: token start offsets, then the first token after each line break.
    starts = doc.to_array("IDX")
    pos = text.find("\n")
    while pos >= 0:
        i = int(np.searchsorted(starts, pos + 1))
        if 0 < i < len(doc) and not doc[i].is_space:
            doc[i].is_sent_start = True
        pos = text.find("\n", pos + 1)
    return doc


# Languages our sources publish in; a small set keeps lingua fast and small in memory.
LANGUAGES = (
    Language.ENGLISH,
    Language.GERMAN,
    Language.FRENCH,
    Language.SPANISH,
    Language.ITALIAN,
    Language.PORTUGUESE,
    Language.DUTCH,
    Language.RUSSIAN,
    Language.UKRAINIAN,
    Language.POLISH,
    Language.ARABIC,
    Language.CHINESE,
    Language.JAPANESE,
    Language.HINDI,
    Language.TURKISH,
    Language.ZULU,
    Language.XHOSA,
    Language.SWEDISH,
    Language.INDONESIAN,
)
# Of an article's text, only this much is enriched (see `Enricher.enriched`); all of it is
# indexed. 3 M chars cost 182 s CPU plus 35 s in the CoreNLP server (bench_enrich.py
# --long), 348 s wall on a busy 2-core box: over the enrich time limit (300 s). A third of
# that stays well inside it even when the machine is oversubscribed.
MAX_CHARS = 1_000_000
DETECT_CHARS = 1000  # enough for a confident guess; detection cost grows with length

Item = tuple[str, str, datetime | date | None, str]


def _as_date(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


Located = TypeVar("Located", Event, Quote)


def _shifted(items: list[Located], offset: int) -> list[Located]:
    """Items of a part of the text with their spans moved to offsets into the whole text."""
    if not offset:
        return items
    return [
        x.model_copy(update={"span": Span(start=x.span.start + offset, end=x.span.end + offset)})
        for x in items
    ]


def _referenced(events: list[Event], quotes: list[Quote]) -> set[str]:
    """Ids of the actors that take part in, report or speak something."""
    used = {q.speaker for q in quotes if q.speaker}
    for ev in events:
        used.update(ev.source_actors, ev.target_actors, ev.reported_by)
    return used


class Analysis(NamedTuple):
    """What `Enricher.analyse` finds in a parsed article before events are extracted."""

    actors: ActorIndex
    quotes: list[Quote]
    extractor: EventExtractor


@dataclass
class Enricher:
    """A loaded spaCy pipeline and language detector; `enrich` is safe to call repeatedly."""

    nlp: SpacyLanguage
    detector: LanguageDetector
    name: str
    title_events: bool = False
    classifier: SentenceClassifier | None = None
    policy: Policy = POLICY
    ner: NerBackend = field(default_factory=SpacyNer)
    chunk_chars: int = CHUNK_CHARS  # longer texts are parsed in pieces (chunks.py)
    max_chars: int = MAX_CHARS  # of an article's text enriched; the rest is only indexed

    @classmethod
    def load(
        cls,
        model_name: str,
        *,
        title_events: bool = False,
        ner: NerBackend | None = None,
    ) -> Enricher:
        """Load the spaCy model once and build the language detector; `ner` re-tags names."""
        nlp = spacy.load(model_name)
        # The parser otherwise runs a closing quote and the next paragraph together.
        nlp.add_pipe(NEWLINE_SENTS, before="parser")
        detector = LanguageDetectorBuilder.from_languages(*LANGUAGES).build()
        ner = ner or SpacyNer()
        name = enricher_name(ENRICHER_VERSION, nlp, None if ner.name == "spacy" else ner.name)
        return cls(nlp, detector, name, title_events, default_classifier(), ner=ner)

    def language(self, title: str, text: str) -> str | None:
        """ISO 639-1 code of the article's language, or None when undecidable."""
        sample = f"{title}\n{text}"[:DETECT_CHARS]
        lang = self.detector.detect_language_of(sample) if sample.strip() else None
        return lang.iso_code_639_1.name.lower() if lang is not None else None

    def enrich(
        self, title: str, text: str, published: datetime | date | None, doc_id: str = ""
    ) -> Enrichment:
        """Enrich one article."""
        return self.enrich_many([(title, text, published, doc_id)])[0]

    def enrich_many(self, items: Iterable[Item], batch_size: int = 4) -> list[Enrichment]:
        """Enrich several articles, parsing them in batches with `nlp.pipe`."""
        # Peak memory grows with the batch (about 30 MB per long article in flight), and
        # throughput barely changes above 4 on CPU: 4 keeps a worker well under 600 MB.
        out: list[Enrichment] = []
        it = iter(items)
        while chunk := list(islice(it, batch_size)):
            langs = [self.language(title, text) for title, text, _, _ in chunk]
            english = [item for item, lang in zip(chunk, langs, strict=True) if lang == "en"]
            parsed = self._parse(english, batch_size)
            for item, lang in zip(chunk, langs, strict=True):
                if lang != "en":
                    out.append(Enrichment(language=lang, enricher=self.name))
                    continue
                title_parts, text_parts = next(parsed), next(parsed)
                out.append(self._from_parts(item, title_parts[0].doc, text_parts))
        return out

    def _parse(self, items: list[Item], batch_size: int) -> Iterator[list[Part]]:
        # A title is one piece (a longer one is hostile input); a text is read up to
        # `max_chars`, in pieces of `chunk_chars`.
        texts = (
            part
            for title, text, _, _ in items
            for part in (prefix(title, self.chunk_chars), self.enriched(text))
        )
        return parse_parts(self._pipe(batch_size * 2), texts, self.chunk_chars)

    def enriched(self, text: str) -> str:
        """The part of an article's text that is enriched: all of it up to `max_chars`,
        else a prefix cut at a paragraph break (offsets stay those of the full text)."""
        return prefix(text, self.max_chars)

    def _pipe(self, batch_size: int) -> Callable[[Iterable[str]], Iterator[Doc]]:
        def pipe(texts: Iterable[str]) -> Iterator[Doc]:
            for batch in batches(texts, batch_size, self.chunk_chars):
                yield from self.ner.apply(self.nlp.pipe(batch, batch_size=len(batch)))

        return pipe

    def parse(self, texts: Iterable[str], batch_size: int = 8) -> Iterator[Doc]:
        """Parse texts (each under `nlp.max_length`) with spaCy, names re-tagged by the NER
        backend. Articles are parsed in parts (`enrich_many`)."""
        return self._pipe(batch_size)(texts)

    def analyse(
        self, title_doc: Doc, text_doc: Doc, published: date | None, doc_id: str = ""
    ) -> Analysis:
        """Actors and quotes of a parsed article, and the event extractor over its text."""
        index = build_actors([title_doc, text_doc], [None, 0])
        quotes, extractor = self._read(index, text_doc, index.token_actor[1], published, doc_id)
        return Analysis(index, quotes, extractor)

    def _read(
        self,
        index: ActorIndex,
        doc: Doc,
        token_actor: dict[int, str],
        published: date | None,
        doc_id: str,
    ) -> tuple[list[Quote], EventExtractor]:
        """Quotes of one doc of the text, and the event extractor over it."""
        resolver = Resolver(doc, token_actor, index.drafts)
        quotes, spans = direct_quotes(doc, resolver)
        resolver.speaker_at = spans.speaker_at
        quotes += reported_quotes(doc, resolver, spans)
        extractor = EventExtractor(
            doc,
            resolver,
            spans,
            published,
            doc_id,
            classifier=self.classifier,
            policy=self.policy,
        )
        return quotes, extractor

    def from_docs(self, item: Item, title_doc: Doc, text_doc: Doc) -> Enrichment:
        """Enrich one English article from its parsed title and text (see `parse`)."""
        return self._from_parts(item, title_doc, [Part(0, text_doc)])

    def _from_parts(self, item: Item, title_doc: Doc, parts: list[Part]) -> Enrichment:
        """Enrich one English article from its parsed title and the parsed parts of its
        text: actors from all of them at once, quotes and events part by part."""
        _title, _text, published, doc_id = item
        pub = _as_date(published)
        index = build_actors([title_doc, *(p.doc for p in parts)], [None, *(p.char for p in parts)])
        quotes: list[Quote] = []
        events: list[Event] = []
        for k, part in enumerate(parts, start=1):
            # Event ids hash the sentence's offset in its doc: qualified by the part's offset
            # they stay unique in the article and the same from run to run.
            part_id = f"{doc_id}@{part.char}" if part.char else doc_id
            found, extractor = self._read(index, part.doc, index.token_actor[k], pub, part_id)
            quotes += _shifted(found, part.char)
            events += _shifted(extractor.extract(), part.char)
        if self.title_events:
            title_resolver = Resolver(title_doc, index.token_actor[0], index.drafts)
            no_quotes = QuoteSpans([], [], [])
            extractor = EventExtractor(
                title_doc,
                title_resolver,
                no_quotes,
                pub,
                doc_id,
                text_offsets=False,
                classifier=self.classifier,
                policy=self.policy,
            )
            events = extractor.extract() + events
        return Enrichment(
            language="en",
            actors=index.actors(used=_referenced(events, quotes)),
            events=events,
            quotes=sorted(quotes, key=lambda q: q.span.start),
            title_lemmas=lemma_string(title_doc),
            text_lemmas=" ".join(filter(None, (lemma_string(p.doc) for p in parts))),
            enricher=self.name,
        )
