"""Pure request builders: the user query parser, filters, facets and Elasticsearch bodies.

Nothing here does I/O, so every body the API sends can be built (and unit-tested, and sent
directly by the benchmark) without a server. The lemmatiser is passed in as a function.

User query syntax: words, "quoted phrases", `-word` / `-"phrase"` to exclude, and `OR`
(upper case) between two terms to accept either; terms are otherwise all required.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any, Literal

Lemmatise = Callable[[str], str]
Clause = dict[str, Any]
Sort = Literal["relevance", "newest", "oldest"]
Interval = Literal["day", "week", "month", "year"]

MAX_TERMS = 32
HIGHLIGHT_TAGS = ("<mark>", "</mark>")
# Elasticsearch refuses (400, the whole search) to highlight a field longer than its
# `index.highlight.max_analyzed_offset` (1,000,000 chars) unless the request sets this: a
# 3 MB article would fail every search it matches. Text past it is not highlighted.
HIGHLIGHT_MAX_CHARS = 1_000_000


class ParamError(ValueError):
    """A request parameter is unusable; the API answers 4xx naming `parameter`."""

    def __init__(self, parameter: str, message: str, status: int = 422) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message
        self.status = status


# ---------------------------------------------------------------- user query


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


# ---------------------------------------------------------------- full-text clauses


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


# ---------------------------------------------------------------- filters


def _terms(field_: str, values: Iterable[str]) -> Clause:
    return {"terms": {field_: sorted(set(values))}}


def _either(fields_: Sequence[str], values: Iterable[str]) -> Clause:
    vals = sorted(set(values))
    return {"bool": {"should": [{"terms": {f: vals}} for f in fields_], "minimum_should_match": 1}}


def _date_range(field_: str, start: date | None, end: date | None) -> Clause | None:
    """Inclusive calendar-day range; `end` includes the whole day."""
    if start is None and end is None:
        return None
    rng: dict[str, str] = {"format": "strict_date_optional_time"}
    if start is not None:
        rng["gte"] = start.isoformat()
    if end is not None:
        rng["lt"] = (end + timedelta(days=1)).isoformat()
    return {"range": {field_: rng}}


# The calendar dates a filter accepts: any news archive fits, and a range's end plus one day
# (`_date_range`) stays a valid date (9999-12-31 + 1 day overflows Python's `date`).
DATE_MIN = date(1000, 1, 1)
DATE_MAX = date(2999, 12, 31)


def check_date_range(start: date | None, end: date | None, start_name: str, end_name: str) -> None:
    """Raise `ParamError` naming the parameter when a date lies outside DATE_MIN..DATE_MAX,
    or (naming `start_name`) when the range ends before it starts."""
    for value, name in ((start, start_name), (end, end_name)):
        if value is not None and not DATE_MIN <= value <= DATE_MAX:
            raise ParamError(
                name, f"{value} is out of range: give a date from {DATE_MIN} to {DATE_MAX}"
            )
    if start is not None and end is not None and start > end:
        raise ParamError(
            start_name, f"{start_name} ({start}) is after the end of the range ({end})"
        )


@dataclass(frozen=True)
class EventConstraints:
    """Event conditions that must hold for one and the same event."""

    event_type: tuple[str, ...] = ()
    event_mode: tuple[str, ...] = ()
    source_actor: tuple[str, ...] = ()
    source_country: tuple[str, ...] = ()
    target_actor: tuple[str, ...] = ()
    target_country: tuple[str, ...] = ()

    def without_types(self) -> EventConstraints:
        return EventConstraints((), *(getattr(self, f.name) for f in fields(self)[1:]))

    def kinds(self) -> int:
        return sum(1 for f in fields(self) if getattr(self, f.name))

    def clauses(self, prefix: str) -> list[Clause]:
        """Conditions on the event fields under `prefix` ("" or "events.")."""
        p = prefix
        out: list[Clause] = []
        if self.event_type:
            out.append(_terms(f"{p}type", self.event_type))
        if self.event_mode:
            out.append(_terms(f"{p}mode", self.event_mode))
        if self.source_actor:
            out.append(_either([f"{p}source_actors", f"{p}source_names"], self.source_actor))
        if self.source_country:
            out.append(_terms(f"{p}source_countries", self.source_country))
        if self.target_actor:
            out.append(_either([f"{p}target_actors", f"{p}target_names"], self.target_actor))
        if self.target_country:
            out.append(_terms(f"{p}target_countries", self.target_country))
        return out


def _article_event_clause(ev: EventConstraints) -> Clause | None:
    """Articles with one counted event meeting every constraint (nested: correlated)."""
    if ev.kinds() == 0:
        return None
    # Alone, type and mode have flat copies (counted events only), cheaper than nested.
    if ev.kinds() == 1 and ev.event_type:
        return _terms("event_types", ev.event_type)
    if ev.kinds() == 1 and ev.event_mode:
        return _terms("event_modes", ev.event_mode)
    conds = [{"term": {"events.counted": True}}, *ev.clauses("events.")]
    return {"nested": {"path": "events", "query": {"bool": {"filter": conds}}}}


@dataclass(frozen=True)
class FilterPlan:
    """Filters split for multi-select facets (the post_filter pattern).

    `always` filters narrow hits and every facet; `by_facet[f]` is facet f's own filter: it
    narrows hits (post_filter) and every facet but f; `relaxed[f]` replaces it in f's own
    aggregation when only part of it belongs to f.
    """

    always: list[Clause] = field(default_factory=list)
    by_facet: dict[str, Clause] = field(default_factory=dict)
    relaxed: dict[str, Clause] = field(default_factory=dict)

    def all_filters(self) -> list[Clause]:
        return [*self.always, *self.by_facet.values()]

    def facet_filters(self, facet: str) -> list[Clause]:
        out = [c for name, c in self.by_facet.items() if name != facet]
        if facet in self.relaxed:
            out.append(self.relaxed[facet])
        return out


@dataclass(frozen=True)
class ArticleFilters:
    """`/search` and `/timeline?of=articles` filters; values within one filter are ORed."""

    actor: tuple[str, ...] = ()  # ids or canonical names; every one must be in the article
    actor_type: tuple[str, ...] = ()
    person: tuple[str, ...] = ()
    organization: tuple[str, ...] = ()
    location: tuple[str, ...] = ()
    group: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    events: EventConstraints = EventConstraints()
    site: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    published_from: date | None = None
    published_to: date | None = None


# facet name -> (field, the filter it owns)
ARTICLE_TERM_FACETS: dict[str, str] = {
    "persons": "persons",
    "organizations": "organizations",
    "locations": "locations",
    "groups": "groups",
    "countries": "countries",
    "event_types": "event_types",
    "sites": "site",
    "languages": "language",
}
ARTICLE_DATE_FACET = ("published", "published")


def article_filter_plan(f: ArticleFilters) -> FilterPlan:
    """Split article filters into always-on ones and facet-owned ones."""
    always: list[Clause] = []
    for value in sorted(set(f.actor)):
        ident: Clause = {
            "bool": {
                "should": [{"term": {"actors.id": value}}, {"term": {"actors.name": value}}],
                "minimum_should_match": 1,
            }
        }
        conds = [ident] + ([_terms("actors.type", f.actor_type)] if f.actor_type else [])
        always.append({"nested": {"path": "actors", "query": {"bool": {"filter": conds}}}})
    if f.actor_type and not f.actor:
        always.append(
            {
                "nested": {
                    "path": "actors",
                    "query": {"bool": {"filter": [_terms("actors.type", f.actor_type)]}},
                }
            }
        )
    if f.author:
        always.append(_terms("authors", f.author))
    by_facet: dict[str, Clause] = {}
    relaxed: dict[str, Clause] = {}
    for facet, values in (
        ("persons", f.person),
        ("organizations", f.organization),
        ("locations", f.location),
        ("groups", f.group),
        ("countries", f.country),
        ("sites", f.site),
        ("languages", f.language),
    ):
        if values:
            by_facet[facet] = _terms(ARTICLE_TERM_FACETS[facet], values)
    event_clause = _article_event_clause(f.events)
    if event_clause is not None:
        if f.events.event_type:
            by_facet["event_types"] = event_clause
            rest = _article_event_clause(f.events.without_types())
            if rest is not None:
                relaxed["event_types"] = rest
        else:
            always.append(event_clause)
    published = _date_range("published", f.published_from, f.published_to)
    if published is not None:
        by_facet["published"] = published
    return FilterPlan(always, by_facet, relaxed)


@dataclass(frozen=True)
class EventFilters:
    """`/events` and `/timeline?of=events` filters; values within one filter are ORed."""

    events: EventConstraints = EventConstraints()
    site: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    article_id: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    published_from: date | None = None
    published_to: date | None = None
    include_negated: bool = False
    include_hypothetical: bool = False


EVENT_TERM_FACETS: dict[str, str] = {
    "types": "type",
    "source_countries": "source_countries",
    "target_countries": "target_countries",
    "source_actors": "source_names",
    "target_actors": "target_names",
}
EVENT_DATE_FACET = ("months", "date")


def event_filter_plan(f: EventFilters) -> FilterPlan:
    """Split event filters into always-on ones and facet-owned ones."""
    always: list[Clause] = []
    if not f.include_negated:
        always.append({"bool": {"must_not": [{"term": {"negated": True}}]}})
    if not f.include_hypothetical:
        always.append({"bool": {"must_not": [{"term": {"hypothetical": True}}]}})
    ev = f.events
    if ev.event_mode:
        always.append(_terms("mode", ev.event_mode))
    for values, field_ in (
        (f.site, "site"),
        (f.language, "language"),
        (f.article_id, "article_id"),
    ):
        if values:
            always.append(_terms(field_, values))
    published = _date_range("published", f.published_from, f.published_to)
    if published is not None:
        always.append(published)
    by_facet: dict[str, Clause] = {}
    if ev.event_type:
        by_facet["types"] = _terms("type", ev.event_type)
    if ev.source_country:
        by_facet["source_countries"] = _terms("source_countries", ev.source_country)
    if ev.target_country:
        by_facet["target_countries"] = _terms("target_countries", ev.target_country)
    if ev.source_actor:
        by_facet["source_actors"] = _either(["source_actors", "source_names"], ev.source_actor)
    if ev.target_actor:
        by_facet["target_actors"] = _either(["target_actors", "target_names"], ev.target_actor)
    when = _date_range("date", f.date_from, f.date_to)
    if when is not None:
        by_facet["months"] = when
    return FilterPlan(always, by_facet, {})


# ---------------------------------------------------------------- aggregations


def calendar_histogram(field_: str, interval: Interval) -> Clause:
    return {"date_histogram": {"field": field_, "calendar_interval": interval, "min_doc_count": 1}}


def facet_aggs(
    plan: FilterPlan,
    term_facets: Mapping[str, str],
    date_facet: tuple[str, str],
    size: int,
    interval: Interval,
) -> dict[str, Clause]:
    """One aggregation per facet, each under every filter except its own."""
    inner: dict[str, Clause] = {
        name: {"terms": {"field": fld, "size": size}} for name, fld in term_facets.items()
    }
    inner[date_facet[0]] = calendar_histogram(date_facet[1], interval)
    aggs: dict[str, Clause] = {}
    for name, agg in inner.items():
        filters = plan.facet_filters(name)
        if filters:
            aggs[name] = {"filter": {"bool": {"filter": filters}}, "aggs": {"values": agg}}
        else:
            aggs[name] = agg
    return aggs


def facet_buckets(aggs: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """The buckets of a facet built by `facet_aggs` (filtered or not)."""
    agg = aggs.get(name) or {}
    if "values" in agg:
        agg = agg["values"]
    buckets: list[dict[str, Any]] = agg.get("buckets", [])
    return buckets


# ---------------------------------------------------------------- sort and bodies


def sort_clause(sort: Sort, date_field: str, paginated: bool) -> list[Any]:
    """Sort with a unique tiebreaker, so search_after pages neither repeat nor skip."""
    primary: list[Any]
    if sort == "relevance":
        primary = [{"_score": "desc"}, {date_field: {"order": "desc", "missing": "_last"}}]
    else:
        order = "desc" if sort == "newest" else "asc"
        primary = [{date_field: {"order": order, "missing": "_last"}}]
    # `_shard_doc` is the point-in-time tiebreaker: unique and cheap.
    return [*primary, {"_shard_doc": "asc"}] if paginated else primary


ARTICLE_HIT_SOURCE = [
    "doc_id",
    "title",
    "url",
    "canonical_url",
    "site",
    "site_name",
    "published",
    "language",
    "authors",
    "description",
    "persons",
    "organizations",
    "countries",
    "locations",
    "groups",
    "event_types",
]
EVENT_HIT_SOURCE = [
    "id",
    "type",
    "mode",
    "source_actors",
    "target_actors",
    "source_names",
    "target_names",
    "source_countries",
    "target_countries",
    "reported_by",
    "trigger",
    "sentence",
    "date",
    "date_granularity",
    "date_text",
    "location",
    "confidence",
    "negated",
    "hypothetical",
    "future",
    "article_id",
    "title",
    "url",
    "site",
    "language",
    "published",
]


@dataclass(frozen=True)
class Page:
    """Pagination and presentation options shared by the list endpoints."""

    size: int = 20
    sort: Sort = "relevance"
    facet_size: int = 10
    interval: Interval = "month"
    facets: bool = True


def _highlight(tf: TextFields, hq: Clause, whole: Sequence[str]) -> Clause:
    spec: dict[str, Clause] = {}
    for f in tf.highlight:
        spec[f] = (
            {"number_of_fragments": 0}
            if f in whole
            else {"fragment_size": 180, "number_of_fragments": 3}
        )
    return {
        "pre_tags": [HIGHLIGHT_TAGS[0]],
        "post_tags": [HIGHLIGHT_TAGS[1]],
        "encoder": "html",
        "highlight_query": hq,
        "max_analyzed_offset": HIGHLIGHT_MAX_CHARS,
        "fields": spec,
    }


def _search_body(
    *,
    parsed: ParsedQuery,
    plan: FilterPlan,
    tf: TextFields,
    lemmatise: Lemmatise,
    irregular: Mapping[str, Sequence[str]] | None,
    page: Page,
    term_facets: Mapping[str, str],
    date_facet: tuple[str, str],
    sort_field: str,
    source: list[str],
    whole_fields: Sequence[str],
    search_after: list[Any] | None,
    pit: str | None,
    keep_alive: str,
) -> dict[str, Any]:
    tq = text_query(parsed, tf, lemmatise)
    bool_q: dict[str, Any] = {}
    if tq is not None:
        bool_q["must"] = [tq]
    if plan.always:
        bool_q["filter"] = plan.always
    body: dict[str, Any] = {
        "query": {"bool": bool_q} if bool_q else {"match_all": {}},
        "size": page.size,
        "sort": sort_clause(page.sort, sort_field, paginated=pit is not None),
        "track_total_hits": True,
        "_source": source,
    }
    if plan.by_facet:
        body["post_filter"] = {"bool": {"filter": list(plan.by_facet.values())}}
    if page.facets and search_after is None:
        # Facets describe the whole result set: computed on the first page only.
        body["aggs"] = facet_aggs(plan, term_facets, date_facet, page.facet_size, page.interval)
    hq = highlight_query(parsed, tf, lemmatise, irregular)
    if hq is not None:
        body["highlight"] = _highlight(tf, hq, whole_fields)
    if pit is not None:
        body["pit"] = {"id": pit, "keep_alive": keep_alive}
    if search_after is not None:
        body["search_after"] = search_after
    return body


def article_search_body(
    parsed: ParsedQuery,
    filters: ArticleFilters,
    page: Page,
    lemmatise: Lemmatise,
    *,
    irregular: Mapping[str, Sequence[str]] | None = None,
    pit: str | None = None,
    search_after: list[Any] | None = None,
    keep_alive: str = "5m",
) -> dict[str, Any]:
    """The `/search` request body (index-less when `pit` is given)."""
    return _search_body(
        parsed=parsed,
        plan=article_filter_plan(filters),
        tf=ARTICLE_TEXT,
        lemmatise=lemmatise,
        irregular=irregular,
        page=page,
        term_facets=ARTICLE_TERM_FACETS,
        date_facet=ARTICLE_DATE_FACET,
        sort_field="published",
        source=ARTICLE_HIT_SOURCE,
        whole_fields=("title",),
        search_after=search_after,
        pit=pit,
        keep_alive=keep_alive,
    )


def event_search_body(
    parsed: ParsedQuery,
    filters: EventFilters,
    page: Page,
    lemmatise: Lemmatise,
    *,
    irregular: Mapping[str, Sequence[str]] | None = None,
    pit: str | None = None,
    search_after: list[Any] | None = None,
    keep_alive: str = "5m",
) -> dict[str, Any]:
    """The `/events` request body."""
    return _search_body(
        parsed=parsed,
        plan=event_filter_plan(filters),
        tf=EVENT_TEXT,
        lemmatise=lemmatise,
        irregular=irregular,
        page=page,
        term_facets=EVENT_TERM_FACETS,
        date_facet=EVENT_DATE_FACET,
        sort_field="date",
        source=EVENT_HIT_SOURCE,
        whole_fields=("sentence",),
        search_after=search_after,
        pit=pit,
        keep_alive=keep_alive,
    )


def timeline_body(
    parsed: ParsedQuery,
    plan: FilterPlan,
    tf: TextFields,
    lemmatise: Lemmatise,
    date_field: str,
    interval: Interval,
) -> dict[str, Any]:
    """Counts per calendar interval of everything matching the query and every filter."""
    bool_q: dict[str, Any] = {}
    tq = text_query(parsed, tf, lemmatise)
    if tq is not None:
        bool_q["must"] = [tq]
    filters = plan.all_filters()
    if filters:
        bool_q["filter"] = filters
    return {
        "query": {"bool": bool_q} if bool_q else {"match_all": {}},
        "size": 0,
        "track_total_hits": True,
        "aggs": {"timeline": calendar_histogram(date_field, interval)},
    }


# ---------------------------------------------------------------- actors


def _actor_match(q: str | None, types: Sequence[str]) -> list[Clause]:
    conds: list[Clause] = []
    if q and q.strip():
        text = q.strip()
        conds.append(
            {
                "bool": {
                    "should": [
                        {"term": {"actors.id": text}},
                        {
                            "match_bool_prefix": {
                                "actors.name.text": {"query": text, "operator": "and", "boost": 2}
                            }
                        },
                        {
                            "match_bool_prefix": {
                                "actors.aliases.text": {"query": text, "operator": "and"}
                            }
                        },
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    if types:
        conds.append(_terms("actors.type", types))
    return conds


def _actor_details(size: int) -> dict[str, Clause]:
    return {
        "name": {"terms": {"field": "actors.name", "size": 1}},
        "type": {"terms": {"field": "actors.type", "size": 1}},
        "country": {"terms": {"field": "actors.country", "size": 1}},
        "sector": {"terms": {"field": "actors.sector", "size": 1}},
        "aliases": {"terms": {"field": "actors.aliases", "size": size}},
        "mentions": {"sum": {"field": "actors.mentions"}},
    }


def actor_lookup_body(q: str | None, types: Sequence[str], size: int) -> dict[str, Any]:
    """Actors whose id, name or alias matches `q` (prefix-aware), by articles mentioning them."""
    conds = _actor_match(q, types)
    nested_q: Clause = {"bool": {"filter": conds}} if conds else {"match_all": {}}
    return {
        "size": 0,
        "query": {"nested": {"path": "actors", "query": nested_q}},
        "aggs": {
            "actors": {
                "nested": {"path": "actors"},
                "aggs": {
                    "matching": {
                        "filter": nested_q,
                        "aggs": {
                            "ids": {
                                "terms": {"field": "actors.id", "size": size},
                                "aggs": _actor_details(10),
                            }
                        },
                    }
                },
            }
        },
    }


def actor_profile_bodies(
    actor_id: str, *, latest: int, co_actors: int, interval: Interval = "month"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(articles body, events body) of an actor's profile."""
    this: Clause = {"term": {"actors.id": actor_id}}
    articles = {
        "size": latest,
        "query": {"bool": {"filter": [{"term": {"actor_ids": actor_id}}]}},
        "sort": [{"published": {"order": "desc", "missing": "_last"}}],
        "track_total_hits": True,
        "_source": ARTICLE_HIT_SOURCE,
        "aggs": {
            "actor": {
                "nested": {"path": "actors"},
                "aggs": {
                    "this": {
                        "filter": this,
                        "aggs": {
                            **_actor_details(50),
                            "names": {"terms": {"field": "actors.name", "size": 10}},
                            "roles": {"terms": {"field": "actors.roles", "size": 20}},
                        },
                    },
                    "others": {
                        "filter": {"bool": {"must_not": [this]}},
                        "aggs": {
                            "ids": {
                                "terms": {"field": "actors.id", "size": co_actors},
                                "aggs": {
                                    "name": {"terms": {"field": "actors.name", "size": 1}},
                                    "type": {"terms": {"field": "actors.type", "size": 1}},
                                },
                            }
                        },
                    },
                },
            },
            "over_time": {
                **calendar_histogram("published", interval),
                "aggs": {
                    "actor": {
                        "nested": {"path": "actors"},
                        "aggs": {
                            "this": {
                                "filter": this,
                                "aggs": {"mentions": {"sum": {"field": "actors.mentions"}}},
                            }
                        },
                    }
                },
            },
        },
    }
    by_type = {"terms": {"field": "type", "size": 16}}
    events = {
        "size": 0,
        "track_total_hits": True,
        "query": {
            "bool": {
                "filter": [{"term": {"counted": True}}],
                "should": [
                    {"term": {"source_actors": actor_id}},
                    {"term": {"target_actors": actor_id}},
                ],
                "minimum_should_match": 1,
            }
        },
        "aggs": {
            "as_source": {
                "filter": {"term": {"source_actors": actor_id}},
                "aggs": {"types": by_type},
            },
            "as_target": {
                "filter": {"term": {"target_actors": actor_id}},
                "aggs": {"types": by_type},
            },
        },
    }
    return articles, events


# ---------------------------------------------------------------- cursors


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: point-in-time id, last sort values, and what was asked."""

    pit: str
    after: list[Any]
    sort: str
    query_hash: str


def query_hash(params: Mapping[str, Any]) -> str:
    """A short, order-independent digest of the parameters that define a result set."""
    canon = json.dumps(params, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()[:16]


def encode_cursor(c: Cursor) -> str:
    """Opaque, URL-safe cursor text."""
    raw = json.dumps(
        {"pit": c.pit, "after": c.after, "sort": c.sort, "qh": c.query_hash}, separators=(",", ":")
    ).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(text: str, *, sort: str, qhash: str) -> Cursor:
    """Parse a cursor and check it belongs to this query; raises `ParamError("cursor")`."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise ParamError(
            "cursor", "malformed cursor: pass back next_cursor unchanged", 400
        ) from exc
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("pit"), str)
        or not isinstance(data.get("after"), list)
        or not data["after"]
        or not all(v is None or isinstance(v, str | int | float) for v in data["after"])
        or not isinstance(data.get("sort"), str)
        or not isinstance(data.get("qh"), str)
    ):
        raise ParamError("cursor", "malformed cursor: pass back next_cursor unchanged", 400)
    if data["sort"] != sort or data["qh"] != qhash:
        raise ParamError(
            "cursor", "cursor belongs to a different query: repeat the original parameters", 400
        )
    return Cursor(data["pit"], data["after"], data["sort"], data["qh"])
