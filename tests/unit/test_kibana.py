"""Kibana saved objects (infra/kibana/*.ndjson): they parse, ids are stable, references
resolve, and every field they use exists in the index mappings with a type that supports
the use (aggregations and sorting need doc values; a time field must be a date).

Kibana cannot run here, so the fields are read out of the saved objects themselves (Lens
columns, saved-search columns and sort, filters, data view time fields) and checked
against infra/elasticsearch/*.json through the same loader `newsflow init` uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newsflow_shared.indices import LOGICAL_INDICES, load_mapping, names

pytestmark = pytest.mark.unit

KIBANA_DIR = Path(__file__).resolve().parents[2] / "infra" / "kibana"

EXPECTED_IDS = {
    ("index-pattern", "newsflow-articles"),
    ("index-pattern", "newsflow-events"),
    ("lens", "newsflow-events-over-time"),
    ("lens", "newsflow-top-source-countries"),
    ("lens", "newsflow-top-target-countries"),
    ("lens", "newsflow-top-source-actors"),
    ("lens", "newsflow-top-target-actors"),
    ("lens", "newsflow-top-sites"),
    ("search", "newsflow-latest-events"),
    ("dashboard", "newsflow-news-events"),
}

# Field types Elasticsearch aggregates and sorts on (doc values), Kibana's "aggregatable".
AGGREGATABLE = {
    "keyword", "constant_keyword", "wildcard", "boolean", "date", "date_nanos", "ip",
    "long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float",
    "unsigned_long",
}  # fmt: skip
# Lens's pseudo-field for "count of records".
RECORDS = "___records___"


@dataclass(frozen=True)
class FieldUse:
    """One field a saved object uses, on which data view, and how."""

    obj: str  # "type/id"
    data_view: str  # data view id
    field: str
    use: str  # "time" | "aggregate" | "sort" | "filter" | "display"
    operation: str = ""


def ndjson_lines() -> Iterator[tuple[str, str]]:
    """("file:line", text) of every non-blank line of infra/kibana/*.ndjson."""
    for path in sorted(KIBANA_DIR.glob("*.ndjson")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if line.strip():
                yield f"{path.name}:{n}", line


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return [json.loads(line) for _, line in ndjson_lines()]


def test_every_line_is_one_saved_object() -> None:
    lines = list(ndjson_lines())
    assert lines, f"no saved objects in {KIBANA_DIR}"
    for where, line in lines:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            pytest.fail(f"{where} is not JSON: {exc}")
        assert isinstance(obj, dict) and {"type", "id"} <= obj.keys(), where


@pytest.fixture(scope="module")
def by_key(objects: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["type"], o["id"]): o for o in objects}


def ref(obj: dict[str, Any], name: str) -> dict[str, Any]:
    """The reference `name` of a saved object (fails if it is missing)."""
    found = [r for r in obj["references"] if r["name"] == name]
    assert len(found) == 1, f"{obj['type']}/{obj['id']}: reference {name!r} missing"
    return found[0]


def filter_uses(key: str, obj: dict[str, Any], filters: list[dict[str, Any]]) -> Iterator[FieldUse]:
    """Fields of Kibana filter pills; the data view is a reference or, inline, meta.index."""
    for f in filters:
        meta = f["meta"]
        data_view = (
            ref(obj, meta["indexRefName"])["id"] if "indexRefName" in meta else meta["index"]
        )
        fields = {meta["key"]} | {
            field for clause in f.get("query", {}).values() for field in clause
        }
        for field in fields:
            yield FieldUse(key, data_view, field, "filter")


def field_uses(obj: dict[str, Any]) -> Iterator[FieldUse]:
    """Every field a saved object refers to, read from its own JSON."""
    key = f"{obj['type']}/{obj['id']}"
    attrs = obj["attributes"]
    if obj["type"] == "index-pattern":
        yield FieldUse(key, obj["id"], attrs["timeFieldName"], "time")
    elif obj["type"] == "lens":
        state = attrs["state"]
        layers = state["datasourceStates"]["formBased"]["layers"]
        for layer_id, layer in layers.items():
            data_view = ref(obj, f"indexpattern-datasource-layer-{layer_id}")["id"]
            for column in layer["columns"].values():
                if column.get("sourceField", RECORDS) != RECORDS:
                    yield FieldUse(
                        key, data_view, column["sourceField"], "aggregate", column["operationType"]
                    )
        yield from filter_uses(key, obj, state["filters"])
    elif obj["type"] in ("search", "dashboard"):
        source = json.loads(attrs["kibanaSavedObjectMeta"]["searchSourceJSON"])
        if obj["type"] == "search":
            data_view = ref(obj, source["indexRefName"])["id"]
            for column in attrs["columns"]:
                yield FieldUse(key, data_view, column, "display")
            for field, _direction in attrs["sort"]:
                yield FieldUse(key, data_view, field, "sort")
        yield from filter_uses(key, obj, source.get("filter", []))
    else:
        # A new kind of object needs a reader here, or its fields would go unchecked.
        raise AssertionError(f"{key}: no field reader for saved objects of this type")


def flat_mapping(logical: str) -> dict[str, dict[str, Any]]:
    """Field path -> its mapping, with `nested` set on fields inside a nested object."""
    out: dict[str, dict[str, Any]] = {}

    def walk(props: dict[str, Any], prefix: str, nested: bool) -> None:
        for name, spec in props.items():
            path = f"{prefix}{name}"
            kind = spec.get("type", "object")
            out[path] = {**spec, "type": kind, "nested": nested}
            for sub, sub_spec in spec.get("fields", {}).items():
                out[f"{path}.{sub}"] = {**sub_spec, "nested": nested}
            if "properties" in spec:
                walk(spec["properties"], f"{path}.", nested or kind == "nested")

    walk(load_mapping(logical)["mappings"]["properties"], "", False)
    return out


@pytest.fixture(scope="module")
def mappings_by_data_view(
    objects: list[dict[str, Any]],
) -> dict[str, dict[str, dict[str, Any]]]:
    """Data view id -> the flattened mapping of the logical index its title names."""
    by_alias = {names(logical).read: logical for logical in LOGICAL_INDICES}
    out = {}
    for o in objects:
        if o["type"] == "index-pattern":
            title = o["attributes"]["title"]
            assert title in by_alias, f"data view {o['id']}: {title!r} is no read alias"
            out[o["id"]] = flat_mapping(by_alias[title])
    return out


def test_ids_are_the_stable_set(objects: list[dict[str, Any]]) -> None:
    keys = [(o["type"], o["id"]) for o in objects]
    assert len(keys) == len(set(keys)), "duplicate ids"
    assert set(keys) == EXPECTED_IDS
    # Ids are unique across types too, so a URL or an export never mixes two objects up.
    assert len({o["id"] for o in objects}) == len(objects)


def test_objects_have_importable_envelopes(objects: list[dict[str, Any]]) -> None:
    # Kibana migrates an object from its typeMigrationVersion up; without one it would
    # run every migration since 7.0 over an 8.x-shaped object.
    for o in objects:
        assert {"id", "type", "attributes", "references"} <= o.keys()
        assert re.fullmatch(r"\d+\.\d+\.\d+", o["typeMigrationVersion"]), o["id"]
        assert re.fullmatch(r"\d+\.\d+\.\d+", o["coreMigrationVersion"]), o["id"]
        assert o["attributes"]["title"], o["id"]


def test_references_resolve(objects: list[dict[str, Any]], by_key: dict[Any, Any]) -> None:
    for o in objects:
        assert len({r["name"] for r in o["references"]}) == len(o["references"]), o["id"]
        for r in o["references"]:
            assert (r["type"], r["id"]) in by_key, f"{o['id']} -> {r['type']}/{r['id']}"


def test_dashboard_panels_resolve(by_key: dict[Any, Any]) -> None:
    dashboard = by_key[("dashboard", "newsflow-news-events")]
    assert dashboard["attributes"]["title"] == "News events"
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    shown = set()
    for panel in panels:
        # Kibana names a panel's reference "<panelIndex>:<panelRefName>".
        r = ref(dashboard, f"{panel['panelIndex']}:{panel['panelRefName']}")
        assert r["type"] == panel["type"]
        assert panel["gridData"]["i"] == panel["panelIndex"]
        assert panel["gridData"]["x"] + panel["gridData"]["w"] <= 48  # the grid's width
        shown.add((r["type"], r["id"]))
    # Every visualization and the saved search are on the dashboard.
    assert shown == {k for k in EXPECTED_IDS if k[0] in ("lens", "search")}
    assert len({p["panelIndex"] for p in panels}) == len(panels)


def test_data_views_match_the_setup_script(objects: list[dict[str, Any]]) -> None:
    # setup.sh re-points these data views at prefixed aliases (NEWSFLOW_INDEX_PREFIX).
    m = re.search(r'^DATA_VIEWS="([^"]*)"$', (KIBANA_DIR / "setup.sh").read_text(), re.MULTILINE)
    assert m, "DATA_VIEWS not found in infra/kibana/setup.sh"
    listed = set(m[1].split())
    actual = {
        f"{o['id']}:{o['attributes']['title']}" for o in objects if o["type"] == "index-pattern"
    }
    assert listed == actual


def test_every_field_exists_and_supports_its_use(
    objects: list[dict[str, Any]],
    mappings_by_data_view: dict[str, dict[str, dict[str, Any]]],
) -> None:
    uses = [u for o in objects for u in field_uses(o)]
    assert uses, "no fields found: has the saved-object format changed?"
    problems = []
    for u in uses:
        mapping = mappings_by_data_view[u.data_view]
        spec = mapping.get(u.field)
        where = f"{u.obj}: {u.field} ({u.use} {u.operation}) on {u.data_view}"
        if spec is None:
            problems.append(f"{where}: not in the mapping")
            continue
        kind = spec["type"]
        if spec["nested"]:
            # Kibana queries and aggregates a flat document; nested fields need nested queries.
            problems.append(f"{where}: inside a nested object")
        aggregatable = kind in AGGREGATABLE and spec.get("doc_values") is not False
        if u.use in ("aggregate", "sort", "time") and not aggregatable:
            problems.append(f"{where}: {kind} is not aggregatable")
        if u.use == "filter" and spec.get("index") is False:
            problems.append(f"{where}: not indexed, cannot filter")
        if (u.use == "time" or u.operation == "date_histogram") and kind not in (
            "date",
            "date_nanos",
        ):
            problems.append(f"{where}: {kind} is not a date")
        if u.use == "display" and kind in ("object", "nested"):
            problems.append(f"{where}: {kind} is not a column")
    assert not problems, "\n".join(problems)


def test_the_dashboard_uses_what_the_issue_asks_for(objects: list[dict[str, Any]]) -> None:
    """Events over time by type, top source/target countries, actors and sites, latest events."""
    used = {(u.obj, u.field, u.operation) for o in objects for u in field_uses(o)}
    over_time = "lens/newsflow-events-over-time"
    assert {(over_time, "published", "date_histogram"), (over_time, "type", "terms")} <= used
    for vis, field in [
        ("newsflow-top-source-countries", "source_countries"),
        ("newsflow-top-target-countries", "target_countries"),
        ("newsflow-top-source-actors", "source_names"),
        ("newsflow-top-target-actors", "target_names"),
        ("newsflow-top-sites", "site"),
    ]:
        assert (f"lens/{vis}", field, "terms") in used
    columns = {f for o, f, _ in used if o == "search/newsflow-latest-events"}
    assert {"sentence", "type", "source_names", "target_names", "site"} <= columns
