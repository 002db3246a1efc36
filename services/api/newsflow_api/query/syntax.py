"""The user query syntax and the full-text clauses it becomes.

Words, "quoted phrases", `-word` / `-"phrase"` to exclude, and `OR` (upper case) between two
terms to accept either; terms are otherwise all required. Each term matches as typed or by
its lemma (the lemmatiser is passed in as a function), and highlights list its likely
inflections.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from newsflow_api.query.clauses import Clause, Lemmatise, ParamError

MAX_TERMS = 32


@dataclass(frozen=True)
class Term:
    text: str
    phrase: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """Conjunction of `groups` (each a disjunction of terms), minus `excluded` terms."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.groups and not self.excluded

    def positive_terms(self) -> list[Term]:
        return [t for g in self.groups for t in g]


@dataclass(frozen=True)
class _Token:
    kind: Literal["term", "or"]
    term: Term | None = None
    negated: bool = False


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _tokenize(q: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(q)
    while i < n:
        ch = q[i]
        if ch.isspace():
            i += 1
            continue
        negated = False
        if ch == "-" and i + 1 < n and not q[i + 1].isspace():
            negated, i = True, i + 1
        if q[i] == '"':
            end = q.find('"', i + 1)
            if end < 0:
                raise ParamError("q", f'unbalanced quote at position {i}: close the phrase with "')
            text = " ".join(q[i + 1 : end].split())
            i = end + 1
            if _has_word(text):
                tokens.append(_Token("term", Term(text, phrase=len(text.split()) > 1), negated))
            continue
        j = i
        while j < n and not q[j].isspace() and q[j] != '"':
            j += 1
        word = q[i:j]
        i = j
        if word == "OR" and not negated:
            tokens.append(_Token("or"))
        elif _has_word(word):
            tokens.append(_Token("term", Term(word), negated))
    return tokens


def parse_user_query(q: str | None) -> ParsedQuery:
    """Parse the user syntax; raises `ParamError("q")` on unbalanced quotes or too many terms."""
    if not q or not q.strip():
        return ParsedQuery()
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    for tok in _tokenize(q):
        if tok.kind == "or" or tok.term is None:
            pending_or = bool(groups)  # a leading or doubled OR means nothing
            continue
        if tok.negated:
            excluded.append(tok.term)
            pending_or = False
        elif pending_or:
            groups[-1].append(tok.term)
            pending_or = False
        else:
            groups.append([tok.term])
    if sum(len(g) for g in groups) + len(excluded) > MAX_TERMS:
        raise ParamError("q", f"too many terms (at most {MAX_TERMS})")
    return ParsedQuery(tuple(tuple(g) for g in groups), tuple(excluded))


@dataclass(frozen=True)
class TextFields:
    """Fields searched for the words as typed, and for their lemmas."""

    original: tuple[str, ...]
    lemmas: tuple[str, ...]
    highlight: tuple[str, ...]


ARTICLE_TEXT = TextFields(
    original=("title^3", "text"),
    lemmas=("title_lemmas^2", "text_lemmas"),
    highlight=("title", "text"),
)
EVENT_TEXT = TextFields(
    original=("sentence",), lemmas=("sentence_lemmas",), highlight=("sentence",)
)


def _match(text: str, fields_: Sequence[str], phrase: bool) -> Clause:
    if phrase:
        return {"multi_match": {"query": text, "fields": list(fields_), "type": "phrase"}}
    return {"multi_match": {"query": text, "fields": list(fields_), "operator": "and"}}


def term_clause(term: Term, tf: TextFields, lemmatise: Lemmatise) -> Clause:
    """Match a term as typed or by its lemmas (so "attacks" finds "attacked")."""
    should = [_match(term.text, tf.original, term.phrase)]
    lemma = lemmatise(term.text)
    if lemma:
        should.append(_match(lemma, tf.lemmas, term.phrase or len(lemma.split()) > 1))
    if len(should) == 1:
        return should[0]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def text_query(parsed: ParsedQuery, tf: TextFields, lemmatise: Lemmatise) -> Clause | None:
    """The scoring part of a search, or None for "everything"."""
    if parsed.empty:
        return None
    must: list[Clause] = []
    for group in parsed.groups:
        clauses = [term_clause(t, tf, lemmatise) for t in group]
        must.append(
            clauses[0]
            if len(clauses) == 1
            else {"bool": {"should": clauses, "minimum_should_match": 1}}
        )
    must_not = [term_clause(t, tf, lemmatise) for t in parsed.excluded]
    body: dict[str, Any] = {}
    if must:
        body["must"] = must
    if must_not:
        body["must_not"] = must_not
    return {"bool": body}


_VOWELS = set("aeiou")


def surface_forms(word: str, lemma: str, irregular: Mapping[str, Sequence[str]]) -> list[str]:
    """Likely inflections of a query word, for highlighting only (matching uses lemma fields).

    Elasticsearch highlights terms of the original text field, where "attacked" is not
    "attacks"; so the highlight query lists the common English forms of the lemma. A wrong
    guess costs nothing (it matches nothing), a missing one only loses a highlight.
    """
    forms = {word.lower(), lemma}
    if lemma.isalpha() and len(lemma) > 1:
        stem = lemma[:-1] if lemma.endswith("e") else lemma
        forms |= {lemma + "s", lemma + "es", stem + "ed", stem + "ing", lemma + "d"}
        if lemma.endswith("y") and lemma[-2] not in _VOWELS:
            forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
        if len(lemma) > 2 and lemma[-1] not in _VOWELS | {"w", "x", "y"} and lemma[-2] in _VOWELS:
            forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    forms |= set(irregular.get(lemma, ()))
    return sorted(forms)


def highlight_query(
    parsed: ParsedQuery,
    tf: TextFields,
    lemmatise: Lemmatise,
    irregular: Mapping[str, Sequence[str]] | None = None,
) -> Clause | None:
    """What to highlight in the original fields: the typed words and their likely inflections."""
    should: list[Clause] = []
    for term in parsed.positive_terms():
        if term.phrase:
            should.append(_match(term.text, tf.highlight, phrase=True))
            continue
        lemma = lemmatise(term.text)
        words = (
            surface_forms(term.text, lemma, irregular or {}) if " " not in lemma else [term.text]
        )
        should.append(
            {
                "multi_match": {
                    "query": " ".join(words),
                    "fields": list(tf.highlight),
                    "operator": "or",
                }
            }
        )
    if not should:
        return None
    return {"bool": {"should": should, "minimum_should_match": 1}}
