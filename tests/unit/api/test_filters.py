"""The filter declaration (`newsflow_api.query.params`): each filter is one pydantic field
whose metadata says how it narrows articles and events; the parsing and the Elasticsearch
clauses both come from it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from newsflow_api.query.bodies import ARTICLES, EVENTS, SearchKind
from newsflow_api.query.clauses import ParamError
from newsflow_api.query.filters import (
    Range,
    SameEvent,
    Terms,
    filter_names,
    filter_specs,
    foreign_filters,
    plan_for,
)
from newsflow_api.query.params import EventsParams, SearchParams, TimelineParams

pytestmark = pytest.mark.unit

ARTICLE_ONLY = (
    "actor",
    "actor_type",
    "person",
    "organization",
    "location",
    "group",
    "country",
    "author",
)
EVENT_ONLY = ("article_id", "date_from", "date_to", "include_negated", "include_hypothetical")


@pytest.mark.parametrize(("model", "kind"), [(SearchParams, ARTICLES), (EventsParams, EVENTS)])
def test_every_filter_of_an_endpoint_has_a_rule_there_and_names_a_real_facet(
    model: Any, kind: SearchKind
) -> None:
    specs = filter_specs(model, kind.scope)
    assert {s.name for s in specs} == set(filter_names(model))
    facets = {f.name for f in kind.facets} | {kind.date_facet}
    for spec in specs:
        facet = getattr(spec.rule, "facet", None)
        assert facet is None or facet in facets, (spec.name, facet)


def test_the_timeline_refuses_the_other_endpoints_filters() -> None:
    assert foreign_filters(TimelineParams, "events") == ARTICLE_ONLY
    assert foreign_filters(TimelineParams, "articles") == EVENT_ONLY
    assert set(filter_names(TimelineParams)) == set(filter_names(SearchParams)) | set(EVENT_ONLY)


def test_values_are_cleaned_and_normalised_by_their_declared_type() -> None:
    p = SearchParams.model_validate(
        {
            "site": [" a.com ", "", "b.com"],
            "country": ["ukr", "RUS"],
            "language": ["EN"],
            "event_type": ["ASSAULT", "AID", "ASSAULT"],
            "actor_type": ["person"],
        }
    )
    assert p.site == ("a.com", "b.com")
    assert p.country == ("UKR", "RUS")
    assert p.language == ("en",)
    assert p.event_type == ("AID", "ASSAULT")
    assert p.actor_type == ("person",)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"country": ["Ukraine"]}, "country"),
        ({"language": ["english"]}, "language"),
        ({"event_type": ["BOMB"]}, "event_type"),
        ({"site": ["x"] * 51}, "site"),
        ({"author": ["x" * 301]}, "author"),
        ({"published_to": "9999-12-31"}, "published_to"),
        ({"size": 0}, "size"),
        ({"type": ["ASSAULT"]}, "type"),  # not a parameter of /search: refused, not ignored
    ],
)
def test_bad_values_and_unknown_names_are_refused_naming_the_parameter(
    params: dict[str, Any], name: str
) -> None:
    with pytest.raises(ValidationError) as err:
        SearchParams.model_validate(params)
    assert err.value.errors()[0]["loc"][0] == name


def test_a_terms_rule_is_owned_by_its_facet_or_always_applies() -> None:
    for model, scope in ((SearchParams, "articles"), (EventsParams, "events")):
        for spec in filter_specs(model, scope):
            if not isinstance(spec.rule, Terms):
                continue
            # "AID": a value every kind accepts (an event type, a code, a word)
            plan = plan_for(model(**{spec.name: ("AID",)}), scope)
            clauses = [plan.by_facet[spec.rule.facet]] if spec.rule.facet else plan.always
            assert any(str(spec.rule.fields[0]) in str(c) for c in clauses), (scope, spec.name)


def test_event_conditions_are_one_event_on_articles_and_flat_on_events() -> None:
    given = {"source_actor": ("Russia",), "target_country": ("UKR",), "event_mode": ("aerial",)}
    (nested,) = plan_for(SearchParams(**given), "articles").always
    conds = nested["nested"]["query"]["bool"]["filter"]
    either = {"terms": {"events.source_actors": ["Russia"]}}
    assert any(either in c.get("bool", {}).get("should", []) for c in conds)
    assert {"terms": {"events.target_countries": ["UKR"]}} in conds
    assert {"terms": {"events.mode": ["aerial"]}} in conds
    plan = plan_for(EventsParams(**given), "events")
    assert plan.by_facet["modes"] == {"terms": {"mode": ["aerial"]}}  # the modes facet's own
    assert plan.by_facet["target_countries"] == {"terms": {"target_countries": ["UKR"]}}
    should = plan.by_facet["source_actors"]["bool"]["should"]
    assert should == [
        {"terms": {"source_actors": ["Russia"]}},
        {"terms": {"source_names": ["Russia"]}},
    ]


def test_only_type_and_mode_have_flat_article_copies() -> None:
    flat = {
        s.name: s.rule.flat
        for s in filter_specs(SearchParams, "articles")
        if isinstance(s.rule, SameEvent)
    }
    assert {k: v for k, v in flat.items() if v} == {
        "event_type": "event_types",
        "event_mode": "event_modes",
    }
    assert plan_for(SearchParams(event_mode=("aerial",)), "articles").always == [
        {"terms": {"event_modes": ["aerial"]}}
    ]


def test_a_range_is_one_clause_and_must_not_end_before_it_starts() -> None:
    ranges = [s for s in filter_specs(EventsParams, "events") if isinstance(s.rule, Range)]
    assert {(s.name, s.rule.field) for s in ranges} == {
        ("published_from", "published"),
        ("published_to", "published"),
        ("date_from", "date"),
        ("date_to", "date"),
    }
    plan = plan_for(EventsParams(date_from=date(2024, 6, 1)), "events")
    assert plan.by_facet["months"]["range"]["date"]["gte"] == "2024-06-01"
    with pytest.raises(ParamError) as err:
        plan_for(EventsParams(date_from=date(2024, 6, 2), date_to=date(2024, 6, 1)), "events")
    assert err.value.parameter == "date_from" and err.value.status == 422
