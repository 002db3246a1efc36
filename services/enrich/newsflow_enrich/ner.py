"""Named-entity backends: spaCy's own entities, or Stanford CoreNLP's merged into them.

A backend takes the docs spaCy has parsed and may change their `ents`; nothing else
changes (the parse, DATE and other entities still come from spaCy).

- `spacy`: the docs as spaCy tagged them.
- `corenlp`: a Stanford CoreNLP server (its 3-class CoNLL CRF, infra/corenlp/) tags
  PERSON, ORGANIZATION and LOCATION; one HTTP request per article (title and text sent
  together; a long text's parts two by two, at most `MAX_CHARS` a request). Its spans replace every spaCy entity they overlap; spaCy's other entities
  that overlap none (NORP, FAC, DATE, ...) stay, its PERSON/ORG/GPE/LOC do not. CoreNLP is
  GPL-3.0-or-later and runs only as its own process: this module speaks HTTP to it.

A server that is unreachable (no connection, a connection dropped before the answer, or a
502/503/504) raises `OutageError`: an outage, waited out without spending the item's retries
(`newsflow_shared.errors` declares what counts as one). A read timeout or another 5xx or 429
raises `TransientError` (the task retries: it may be this text that is too heavy), a 4xx
`PermanentError`. There is no silent fallback to spaCy's entities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Protocol

import httpx
from spacy.tokens import Doc, Span

from newsflow_enrich import gazetteer as gz
from newsflow_enrich.chunks import pieces
from newsflow_shared.errors import (
    OUTAGE_STATUSES,
    SERVICE_OUTAGE_ERRORS,
    OutageError,
    PermanentError,
    TransientError,
)

# CoreNLP's 3-class labels -> spaCy's. LOCATION depends on the text (see `place_label`).
CORENLP_LABELS = {"PERSON": "PERSON", "ORGANIZATION": "ORG", "LOCATION": "LOC"}
# Between the texts of one request: two newlines end a sentence (server.properties).
SEPARATOR = "\n\n\n"
MAX_CHARS = 100_000  # per request; the server refuses more than 200,000 (stack.sh)
# spaCy's name labels: CoreNLP decides these, so spaCy's own are dropped even where CoreNLP
# found nothing (measured: actor F1 +0.02/+0.03 on dev_a/dev_b over keeping them).
SPACY_NAMES = frozenset({"PERSON", "ORG", "GPE", "LOC"})


@dataclass(frozen=True, order=True)
class NerSpan:
    """A character span [start, end) of a text and its spaCy-style label."""

    start: int
    end: int
    label: str


class NerBackend(Protocol):
    """Re-tags the entities of parsed docs; `name` goes into the enricher's version."""

    name: str

    def apply(self, docs: Iterable[Doc]) -> Iterator[Doc]:
        """Yield the same docs, in order, with their entities possibly replaced."""
        ...


class SpacyNer:
    """spaCy's own entities: the docs pass through unchanged."""

    name = "spacy"

    def apply(self, docs: Iterable[Doc]) -> Iterator[Doc]:
        return iter(docs)


def place_label(text: str) -> str:
    """GPE for a country or a place the gazetteer knows (capital, state), else LOC."""
    return "GPE" if gz.country_code(text) or gz.place_country(text) else "LOC"


def merge_entities(
    doc: Doc,
    spans: Sequence[NerSpan],
    place: Callable[[str], str] = place_label,
    drop: frozenset[str] = frozenset(),
) -> None:
    """Set `doc.ents` to `spans` plus every spaCy entity that overlaps none of them
    (except those labelled in `drop`).

    Spans are widened to token boundaries; a span whose tokens another span already
    covers is dropped. A LOC span is relabelled by `place` from its text.
    """
    new: list[Span] = []
    for sp in sorted(spans):
        span = doc.char_span(sp.start, sp.end, alignment_mode="expand")
        if span is None or not span.text.strip() or (new and span.start < new[-1].end):
            continue
        label = place(span.text) if sp.label == "LOC" else sp.label
        new.append(Span(doc, span.start, span.end, label=label))
    if not new and not doc.ents:
        return
    covered = bytearray(len(doc))
    for span in new:
        covered[span.start : span.end] = b"\x01" * len(span)
    kept = [e for e in doc.ents if e.label_ not in drop and not any(covered[e.start : e.end])]
    doc.ents = sorted([*kept, *new], key=lambda s: s.start)


def _utf16_to_index(text: str) -> list[int] | None:
    """Map UTF-16 offsets (Java's) to str offsets, or None when they coincide."""
    if text.isascii() or all(ord(c) <= 0xFFFF for c in text):
        return None
    table = []
    for i, c in enumerate(text):
        table.append(i)
        if ord(c) > 0xFFFF:
            table.append(i)  # the low surrogate maps to the same character
    table.append(len(text))
    return table


class CoreNLPNer:
    """Entities from a Stanford CoreNLP server (`StanfordCoreNLPServer`, tokenize + ner)."""

    name = "corenlp-3class"

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        group: int = 2,
        max_chars: int = MAX_CHARS,
        client: httpx.Client | None = None,
        drop: frozenset[str] = SPACY_NAMES,
    ) -> None:
        self.drop = drop  # spaCy labels to drop even where CoreNLP found nothing
        self.url = url.rstrip("/") + "/"
        self.group = group  # docs per request: 2 = an article's title and text
        self.max_chars = max_chars
        self._client = client or httpx.Client(timeout=timeout, trust_env=False)

    def close(self) -> None:
        self._client.close()

    def apply(self, docs: Iterable[Doc]) -> Iterator[Doc]:
        it = iter(docs)
        while chunk := list(islice(it, self.group)):
            for doc, spans in zip(chunk, self.spans_many([d.text for d in chunk]), strict=True):
                merge_entities(doc, spans, drop=self.drop)
                yield doc

    def spans_many(self, texts: Sequence[str]) -> list[list[NerSpan]]:
        """Entity spans of each text, in as few requests as `max_chars` allows."""
        offsets, pos = [], 0
        for text in texts:
            offsets.append(pos)
            pos += len(text) + len(SEPARATOR)
        joined = SEPARATOR.join(texts)
        found: list[NerSpan] = []
        for base, piece in pieces(joined, self.max_chars):
            found += [NerSpan(s.start + base, s.end + base, s.label) for s in self.spans(piece)]
        out: list[list[NerSpan]] = [[] for _ in texts]
        k = 0
        for sp in sorted(found):
            while k + 1 < len(texts) and sp.start >= offsets[k + 1]:
                k += 1
            if sp.end <= offsets[k] + len(texts[k]):
                out[k].append(NerSpan(sp.start - offsets[k], sp.end - offsets[k], sp.label))
        return out

    def spans(self, text: str) -> list[NerSpan]:
        """One request: PERSON/ORG/LOC character spans of `text`."""
        if not text.strip():
            return []
        data = self._post(text)
        table = _utf16_to_index(text)
        out = []
        for sentence in data.get("sentences", []):
            tokens = sentence.get("tokens", [])
            for m in sentence.get("entitymentions", []):
                label = CORENLP_LABELS.get(m.get("ner", ""))
                if label is None or not _tagged(tokens, m):
                    continue
                start, end = int(m["characterOffsetBegin"]), int(m["characterOffsetEnd"])
                if table is not None:
                    start, end = table[start], table[end]
                out.append(NerSpan(start, end, label))
        return out

    def _post(self, text: str) -> dict[str, Any]:
        """POST `text`; its JSON answer, or the error the task meets (module docstring)."""
        try:
            resp = self._client.post(
                self.url,
                content=text.encode("utf-8"),
                headers={"Content-Type": "text/plain; charset=utf-8"},
            )
        except SERVICE_OUTAGE_ERRORS as exc:  # before TimeoutException: ConnectTimeout is one
            raise OutageError("ner_unavailable", f"CoreNLP at {self.url}: {exc!r}") from exc
        except httpx.TimeoutException as exc:
            raise TransientError("ner_timeout", f"CoreNLP at {self.url}: {exc!r}") from exc
        except httpx.TransportError as exc:
            raise TransientError("ner_error", f"CoreNLP at {self.url}: {exc!r}") from exc
        status, answer = resp.status_code, f"CoreNLP at {self.url}: HTTP {resp.status_code}"
        if status in OUTAGE_STATUSES:
            raise OutageError("ner_unavailable", f"{answer} {resp.text[:200]}")
        if status >= 500 or status == 429:
            raise TransientError("ner_error", f"{answer} {resp.text[:200]}")
        if status != 200:
            raise PermanentError("ner_rejected", f"{answer} {resp.text[:200]}")
        try:
            data: dict[str, Any] = resp.json()
        except ValueError as exc:
            raise TransientError("ner_error", f"CoreNLP at {self.url}: not JSON") from exc
        return data


def _tagged(tokens: list[dict[str, Any]], mention: dict[str, Any]) -> bool:
    """Whether the CRF tagged the mention's tokens: CoreNLP's entity mentions also list
    pronouns ("he", "his", "him" as PERSON, from its gender annotation), whose tokens are
    tagged O; those are not names."""
    begin, end = mention.get("tokenBegin"), mention.get("tokenEnd")
    if not isinstance(begin, int) or not isinstance(end, int) or not tokens[begin:end]:
        return True  # no token detail to judge by
    return all(t.get("ner", "O") != "O" for t in tokens[begin:end])


def make_backend(name: str, corenlp_url: str = "", timeout: float = 30.0) -> NerBackend:
    """The backend a setting names: "spacy" or "corenlp"."""
    if name == "spacy":
        return SpacyNer()
    if name == "corenlp":
        if not corenlp_url:
            raise ValueError("the corenlp NER backend needs a server URL")
        return CoreNLPNer(corenlp_url, timeout=timeout)
    raise ValueError(f"unknown NER backend {name!r} (spacy or corenlp)")
