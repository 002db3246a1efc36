"""Query lemmatisation with the enricher's spaCy model, cached (the API's only CPU-heavy step)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import spacy

from newsflow_shared.lemmas import query_lemmas

# Only what lemmas need: tok2vec feeds the tagger, whose tags drive the rule lemmatizer.
EXCLUDE = ["parser", "ner", "senter"]


class Lemmatiser:
    """`lemmatise(text)` as the index was lemmatised, plus irregular forms for highlighting."""

    def __init__(self, nlp: Any, cache_size: int = 20_000) -> None:
        self.nlp = nlp
        self.irregular: Mapping[str, Sequence[str]] = irregular_forms(nlp)
        # Lemmas of a text are a pure function of the text, so caching is safe.
        self._cached = lru_cache(maxsize=cache_size)(self._lemmatise)

    def _lemmatise(self, text: str) -> str:
        return query_lemmas(self.nlp, text)

    def __call__(self, text: str) -> str:
        return self._cached(text)

    @classmethod
    def load(cls, model: str, cache_size: int = 20_000) -> Lemmatiser:
        """Load `model` with only the lemma components."""
        return cls(spacy.load(model, exclude=EXCLUDE), cache_size)


def irregular_forms(nlp: Any) -> dict[str, tuple[str, ...]]:
    """lemma -> irregular inflections ("speak" -> "spoke", "spoken"), from spaCy's exceptions."""
    out: dict[str, set[str]] = defaultdict(set)
    try:
        lookups = nlp.get_pipe("lemmatizer").lookups
        table = lookups.get_table("lemma_exc")
    except (KeyError, ValueError, AttributeError):
        return {}
    for pos in ("verb", "noun"):
        for form, lemmas in (table.get(pos) or {}).items():
            for lemma in lemmas:
                out[lemma].add(form)
    return {k: tuple(sorted(v)) for k, v in out.items()}
