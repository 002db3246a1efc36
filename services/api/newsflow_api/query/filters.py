"""How a filter narrows a search, declared beside its parameter, and the plan derived from it.

Each filter parameter (`params.py`) carries a `Filter` in its field's metadata: the rule it
follows on articles and on events (None: not a filter there). `filter_plan` turns the given
values into Elasticsearch clauses from those rules alone, split for multi-select facets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from newsflow_api.query.clauses import Clause, ParamError, date_range, either, terms

Scope = Literal["articles", "events"]


@dataclass(frozen=True)
class Terms:
    """Any given value in any of `fields`; owned by `facet` (multi-select) when named."""

    fields: tuple[str, ...]
    facet: str | None = None


@dataclass(frozen=True)
class Range:
    """One end (`from` or `to`, inclusive days) of a date range on `field`."""

    field: str
    end: Literal["from", "to"]
    facet: str | None = None


@dataclass(frozen=True)
class Unless:
    """A flag: unless it is set, documents with `field` true are left out."""

    field: str


@dataclass(frozen=True)
class SameEvent:
    """On articles, a condition on one and the same counted event (nested `events`): values
    in any of `fields` of that event. Alone, `flat` (an article-level copy) serves instead.
    A part with `facet` hands the whole event condition to that facet."""

    fields: tuple[str, ...]
    flat: str | None = None
    facet: str | None = None


@dataclass(frozen=True)
class SameActor:
    """On articles, a condition on one actor (nested `actors`): `id` values are actor ids or
    names, each of which must be in the article; `type` values restrict those actors (or,
    alone, require an actor of these types)."""

    role: Literal["id", "type"]


Rule = Terms | Range | Unless | SameEvent | SameActor


@dataclass(frozen=True)
class Filter:
    """Field metadata of a filter parameter: its rule on /search and on /events."""

    articles: Rule | None = None
    events: Rule | None = None

    def rule(self, scope: Scope) -> Rule | None:
        return self.articles if scope == "articles" else self.events


@dataclass(frozen=True)
class Spec:
    name: str  # the query parameter
    rule: Rule


@cache
def filter_specs(model: type[BaseModel], scope: Scope) -> tuple[Spec, ...]:
    """The filters of `model` that apply to `scope`, in field order."""
    out = []
    for name, info in model.model_fields.items():
        for meta in info.metadata:
            if isinstance(meta, Filter) and (rule := meta.rule(scope)) is not None:
                out.append(Spec(name, rule))
    return tuple(out)


@cache
def filter_names(model: type[BaseModel]) -> tuple[str, ...]:
    """Every filter parameter of `model` (a field with a `Filter`), in field order."""
    return tuple(
        name
        for name, info in model.model_fields.items()
        if any(isinstance(m, Filter) for m in info.metadata)
    )


@cache
def foreign_filters(model: type[BaseModel], scope: Scope) -> tuple[str, ...]:
    """Filter parameters of `model` that are no filter of `scope`, in field order."""
    own = {s.name for s in filter_specs(model, scope)}
    return tuple(n for n in filter_names(model) if n not in own)


def filter_values(params: BaseModel) -> dict[str, Any]:
    """The filter fields of `params`, by name."""
    return {name: getattr(params, name) for name in filter_names(type(params))}


def plan_for(params: BaseModel, scope: Scope) -> FilterPlan:
    """The filter plan of the parameters' filters that apply to `scope`."""
    return filter_plan(filter_specs(type(params), scope), filter_values(params))


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

    def add(self, clause: Clause | None, facet: str | None) -> None:
        if clause is None:
            return
        if facet is None:
            self.always.append(clause)
        else:
            self.by_facet[facet] = clause


def filter_plan(specs: tuple[Spec, ...], values: Mapping[str, Any]) -> FilterPlan:
    """The clauses of the given filter values, from their specs' rules alone."""
    plan = FilterPlan()
    ranges: dict[str, dict[str, tuple[str, date | None]]] = {}
    event_parts: list[tuple[SameEvent, Any]] = []
    actors: dict[str, Any] = {}
    for spec in specs:
        value, rule = values.get(spec.name), spec.rule
        if isinstance(rule, Terms) and value:
            plan.add(either(rule.fields, value), rule.facet)
        elif isinstance(rule, Unless) and not value:
            plan.always.append({"bool": {"must_not": [{"term": {rule.field: True}}]}})
        elif isinstance(rule, Range):
            ranges.setdefault(rule.field, {})[rule.end] = (spec.name, value)
        elif isinstance(rule, SameEvent) and value:
            event_parts.append((rule, value))
        elif isinstance(rule, SameActor):
            actors[rule.role] = value
    plan.always.extend(actor_clauses(actors.get("id") or (), actors.get("type") or ()))
    _add_event_clause(plan, event_parts)
    for field_, ends in ranges.items():
        facet = next(r.facet for s in specs if isinstance(r := s.rule, Range) and r.field == field_)
        plan.add(_checked_range(field_, ends), facet)
    return plan


def _checked_range(field_: str, ends: Mapping[str, tuple[str, date | None]]) -> Clause | None:
    """The range clause; ParamError (naming the `from` parameter) when it ends before it starts."""
    from_name, start = ends.get("from", ("", None))
    _, end = ends.get("to", ("", None))
    if start is not None and end is not None and start > end:
        raise ParamError(from_name, f"{from_name} ({start}) is after the end of the range ({end})")
    return date_range(field_, start, end)


def actor_clauses(ids: tuple[str, ...], types: tuple[str, ...]) -> list[Clause]:
    """One nested clause per actor id or name (of `types` when given), else one for the types."""
    type_cond = [terms("actors.type", types)] if types else []
    out: list[Clause] = []
    for value in sorted(set(ids)):
        ident: Clause = {
            "bool": {
                "should": [{"term": {"actors.id": value}}, {"term": {"actors.name": value}}],
                "minimum_should_match": 1,
            }
        }
        out.append(
            {"nested": {"path": "actors", "query": {"bool": {"filter": [ident, *type_cond]}}}}
        )
    if types and not ids:
        out.append({"nested": {"path": "actors", "query": {"bool": {"filter": type_cond}}}})
    return out


def same_event_clause(parts: list[tuple[SameEvent, Any]]) -> Clause | None:
    """Articles with one counted event meeting every part (nested: correlated)."""
    if not parts:
        return None
    # Alone, type and mode have flat copies (counted events only), cheaper than nested.
    if len(parts) == 1 and parts[0][0].flat is not None:
        return terms(parts[0][0].flat, parts[0][1])
    conds = [
        {"term": {"events.counted": True}},
        *(either([f"events.{f}" for f in rule.fields], v) for rule, v in parts),
    ]
    return {"nested": {"path": "events", "query": {"bool": {"filter": conds}}}}


def _add_event_clause(plan: FilterPlan, parts: list[tuple[SameEvent, Any]]) -> None:
    clause = same_event_clause(parts)
    owner = next((rule.facet for rule, _ in parts if rule.facet is not None), None)
    if clause is None or owner is None:
        plan.add(clause, None)
        return
    plan.by_facet[owner] = clause
    # The owning facet keeps the other parts: its counts still mean "such an event".
    rest = same_event_clause([(r, v) for r, v in parts if r.facet != owner])
    if rest is not None:
        plan.relaxed[owner] = rest
