"""The pure query layer of the API: user syntax, filters split for multi-select facets, cursors."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from newsflow_api.query.bodies import ARTICLES, EVENTS, Page, search_body
from newsflow_api.query.clauses import ParamError
from newsflow_api.query.cursor import Cursor, decode_cursor, encode_cursor, query_hash
from newsflow_api.query.filters import FilterPlan, plan_for
from newsflow_api.query.params import EventsParams, SearchParams
from newsflow_api.query.syntax import (
    ARTICLE_TEXT,
    ParsedQuery,
    Term,
    parse_user_query,
    surface_forms,
    text_query,
)

pytestmark = pytest.mark.unit


def lemma(text: str) -> str:
    """A stand-in lemmatiser: enough to see where lemmas go."""
    return " ".join(w.lower().rstrip("s") for w in text.split())


def test_words_are_all_required() -> None:
    assert parse_user_query("russia ukraine") == ParsedQuery(
        ((Term("russia"),), (Term("ukraine"),))
    )


def test_phrases_excludes_and_or() -> None:
    q = parse_user_query('"black sea" -drill attack OR strike -"grain deal" OR')
    assert q.groups == ((Term("black sea", phrase=True),), (Term("attack"), Term("strike")))
    assert q.excluded == (Term("drill"), Term("grain deal", phrase=True))


def test_lowercase_or_and_punctuation_only_terms() -> None:
    q = parse_user_query("war or peace - -- ()")
    assert [t.text for t in q.positive_terms()] == ["war", "or", "peace"]
    assert q.excluded == ()


def test_a_quoted_single_word_is_a_word() -> None:
    assert parse_user_query('"talks"').groups == ((Term("talks"),),)


@pytest.mark.parametrize("q", ['"black sea', 'a "b" "c', '-"x'])
def test_unbalanced_quotes_name_q(q: str) -> None:
    with pytest.raises(ParamError) as err:
        parse_user_query(q)
    assert err.value.parameter == "q" and err.value.status == 422


def test_too_many_terms() -> None:
    with pytest.raises(ParamError):
        parse_user_query(" ".join(f"w{i}" for i in range(40)))


def test_empty_query_matches_everything() -> None:
    assert parse_user_query("   ").empty
    assert text_query(parse_user_query(""), ARTICLE_TEXT, lemma) is None


def test_terms_search_original_and_lemma_fields() -> None:
    tq = text_query(parse_user_query("attacks -drills"), ARTICLE_TEXT, lemma)
    assert tq is not None
    should = tq["bool"]["must"][0]["bool"]["should"]
    assert should[0]["multi_match"] == {
        "query": "attacks",
        "fields": ["title^3", "text"],
        "operator": "and",
    }
    assert should[1]["multi_match"]["query"] == "attack"
    assert should[1]["multi_match"]["fields"] == ["title_lemmas^2", "text_lemmas"]
    assert tq["bool"]["must_not"][0]["bool"]["should"][1]["multi_match"]["query"] == "drill"


def test_phrase_uses_phrase_matching_on_both() -> None:
    tq = text_query(parse_user_query('"peace talks"'), ARTICLE_TEXT, lemma)
    assert tq is not None
    for clause in tq["bool"]["must"][0]["bool"]["should"]:
        assert clause["multi_match"]["type"] == "phrase"


def test_surface_forms_cover_common_inflections() -> None:
    assert {"attack", "attacks", "attacked", "attacking"} <= set(
        surface_forms("attacks", "attack", {})
    )
    assert {"strike", "strikes", "striking", "struck"} <= set(
        surface_forms("strikes", "strike", {"strike": ["struck"]})
    )
    assert {"carried", "carries"} <= set(surface_forms("carry", "carry", {}))
    assert {"stopped"} <= set(surface_forms("stop", "stop", {}))


def article_plan(**filters: Any) -> FilterPlan:
    return plan_for(SearchParams(**filters), "articles")


def event_plan(**filters: Any) -> FilterPlan:
    return plan_for(EventsParams(**filters), "events")


def _body(**filters: Any) -> dict[str, Any]:
    return search_body(
        ARTICLES, parse_user_query("x"), article_plan(**filters), Page(size=10), lemma, pit="P"
    )


def test_facet_filters_go_to_post_filter_and_to_every_other_facet() -> None:
    body = _body(site=("a.com", "b.com"), language=("en",), author=("Ann",))
    site = {"terms": {"site": ["a.com", "b.com"]}}
    lang = {"terms": {"language": ["en"]}}
    assert body["post_filter"] == {"bool": {"filter": [site, lang]}}
    assert body["query"]["bool"]["filter"] == [{"terms": {"authors": ["Ann"]}}]  # not a facet
    aggs = body["aggs"]
    assert aggs["sites"]["filter"] == {"bool": {"filter": [lang]}}
    assert aggs["languages"]["filter"] == {"bool": {"filter": [site]}}
    assert aggs["countries"]["filter"] == {"bool": {"filter": [site, lang]}}
    assert aggs["published"]["aggs"]["values"]["date_histogram"]["calendar_interval"] == "month"


def test_no_facet_filters_means_plain_aggregations() -> None:
    body = _body()
    assert "post_filter" not in body
    assert body["aggs"]["sites"] == {"terms": {"field": "site", "size": 10}}


def test_correlated_event_constraints_are_one_nested_query() -> None:
    plan = article_plan(event_type=("ASSAULT",), source_country=("RUS",), target_country=("UKR",))
    nested = plan.by_facet["event_types"]["nested"]
    conds = nested["query"]["bool"]["filter"]
    assert nested["path"] == "events"
    assert {"term": {"events.counted": True}} in conds
    assert {"terms": {"events.type": ["ASSAULT"]}} in conds
    assert {"terms": {"events.source_countries": ["RUS"]}} in conds
    # The event_types facet keeps the other event constraints
    relaxed = plan.relaxed["event_types"]["nested"]["query"]["bool"]["filter"]
    assert {"terms": {"events.type": ["ASSAULT"]}} not in relaxed
    assert {"terms": {"events.target_countries": ["UKR"]}} in relaxed
    assert plan.facet_filters("event_types") == [plan.relaxed["event_types"]]


def test_lone_event_type_uses_the_flat_field() -> None:
    plan = article_plan(event_type=("AID",))
    assert plan.by_facet["event_types"] == {"terms": {"event_types": ["AID"]}}


def test_published_range_is_inclusive_of_the_last_day() -> None:
    plan = article_plan(published_from=date(2024, 6, 1), published_to=date(2024, 6, 30))
    rng = plan.by_facet["published"]["range"]["published"]
    assert rng["gte"] == "2024-06-01" and rng["lt"] == "2024-07-01"


def test_actor_with_type_is_correlated_in_nested_actors() -> None:
    plan = article_plan(actor=("Putin",), actor_type=("person",))
    (clause,) = plan.always
    conds = clause["nested"]["query"]["bool"]["filter"]
    assert conds[1] == {"terms": {"actors.type": ["person"]}}


def test_events_exclude_negated_and_hypothetical_unless_asked() -> None:
    plan = event_plan()
    assert len(plan.always) == 2
    plan = event_plan(include_negated=True, include_hypothetical=True)
    assert plan.always == []


def test_event_body_highlights_whole_sentence_and_sorts_by_event_date() -> None:
    body = search_body(
        EVENTS, parse_user_query("talks"), event_plan(), Page(sort="newest"), lemma, pit="P"
    )
    assert body["highlight"]["fields"] == {"sentence": {"number_of_fragments": 0}}
    assert body["highlight"]["max_analyzed_offset"] == 1_000_000  # long texts: no 400
    assert body["sort"][0] == {"date": {"order": "desc", "missing": "_last"}}
    assert body["sort"][-1] == {"id": "asc"}  # unique: a tiebreaker with or without a PIT
    assert body["pit"] == {"id": "P", "keep_alive": "5m"}


def test_later_pages_skip_facets() -> None:
    body = search_body(
        ARTICLES, parse_user_query(""), article_plan(), Page(), lemma, pit="P", search_after=[1, 2]
    )
    assert "aggs" not in body and body["search_after"] == [1, 2]


def test_cursor_round_trip_and_checks() -> None:
    qh = query_hash({"q": "x"})
    c = Cursor("pit-id", [1.5, "2024", None, 7], "relevance", qh)
    assert decode_cursor(encode_cursor(c), sort="relevance", qhash=qh) == c
    first = Cursor(None, [1.5, "2024", "doc-1"], "relevance", qh)  # after a first page: no PIT
    assert decode_cursor(encode_cursor(first), sort="relevance", qhash=qh) == first
    with pytest.raises(ParamError) as err:
        decode_cursor(encode_cursor(c), sort="newest", qhash=qh)
    assert err.value.parameter == "cursor" and err.value.status == 400
    with pytest.raises(ParamError):
        decode_cursor(encode_cursor(c), sort="relevance", qhash=query_hash({"q": "y"}))
    for bad in ("%%%", "bm90IGpzb24", "W10", "eyJwaXQiOjF9"):
        with pytest.raises(ParamError) as err:
            decode_cursor(bad, sort="relevance", qhash=qh)
        assert err.value.parameter == "cursor"


def test_query_hash_ignores_key_order() -> None:
    assert query_hash({"a": 1, "b": [2]}) == query_hash({"b": [2], "a": 1})
