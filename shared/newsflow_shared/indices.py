"""Index names, versioned mappings as data, and the one idempotent `init` that creates them.

Each logical index (articles, events, content) is a concrete, versioned index
(`articles-v1`) behind a read alias (`articles`) and a write alias (`articles-write`).
Workers and the API only ever use aliases; only `init` creates indices.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

LOGICAL_INDICES = ("articles", "events", "content")
# Index settings that may change without a new index version: `init` brings existing
# indices in line with the JSON (a setting absent from the JSON is reset to its default).
DYNAMIC_SETTINGS = ("refresh_interval",)
CURRENT_VERSION = {"articles": 1, "events": 1, "content": 1}


@dataclass(frozen=True)
class IndexNames:
    """Concrete and alias names of one logical index under a prefix."""

    logical: str
    prefix: str = ""

    @property
    def version(self) -> int:
        return CURRENT_VERSION[self.logical]

    @property
    def concrete(self) -> str:
        return f"{self.prefix}{self.logical}-v{self.version}"

    @property
    def read(self) -> str:
        return f"{self.prefix}{self.logical}"

    @property
    def write(self) -> str:
        return f"{self.prefix}{self.logical}-write"


def names(logical: str, prefix: str = "") -> IndexNames:
    """Names for a logical index (`articles`, `events` or `content`)."""
    if logical not in CURRENT_VERSION:
        raise ValueError(f"unknown index {logical!r}")
    return IndexNames(logical, prefix)


def _mapping_dir() -> Path:
    # In a checkout the mappings live in infra/elasticsearch; in a wheel they are
    # force-included under newsflow_shared/_infra (see pyproject).
    repo = Path(__file__).resolve().parents[2] / "infra" / "elasticsearch"
    if repo.is_dir():
        return repo
    return Path(str(resources.files("newsflow_shared") / "_infra" / "elasticsearch"))


@cache
def load_mapping(logical: str, version: int | None = None) -> dict[str, Any]:
    """The settings+mappings body of `<logical>.v<version>.json`."""
    v = version or CURRENT_VERSION[logical]
    path = _mapping_dir() / f"{logical}.v{v}.json"
    body: dict[str, Any] = json.loads(path.read_text())
    return body


def init_indices(es: Elasticsearch, prefix: str = "") -> list[str]:
    """Create missing indices and point aliases at the current versions. Idempotent.

    Returns a list of the actions taken (empty when everything already existed).
    """
    actions: list[str] = []
    for logical in LOGICAL_INDICES:
        n = names(logical, prefix)
        body = load_mapping(logical)
        if not es.indices.exists(index=n.concrete):
            es.indices.create(
                index=n.concrete,
                settings=body["settings"],
                mappings={**body["mappings"], "_meta": body["_meta"]},
            )
            actions.append(f"created {n.concrete}")
        else:
            actions.extend(_sync_dynamic_settings(es, n.concrete, body["settings"]))
            actions.extend(_add_new_fields(es, n.concrete, body["mappings"]))
        alias_actions: list[dict[str, Any]] = []
        for alias, is_write in ((n.read, False), (n.write, True)):
            holders: set[str] = set()
            if es.indices.exists_alias(name=alias):
                holders = set(es.indices.get_alias(name=alias).body)
            if holders == {n.concrete}:
                continue
            for old in holders - {n.concrete}:
                alias_actions.append({"remove": {"index": old, "alias": alias}})
            add: dict[str, Any] = {"index": n.concrete, "alias": alias}
            if is_write:
                add["is_write_index"] = True
            alias_actions.append({"add": add})
        if alias_actions:
            es.indices.update_aliases(actions=alias_actions)
            actions.append(f"aliased {n.read}, {n.write} -> {n.concrete}")
    return actions


def _new_fields(wanted: dict[str, Any], current: dict[str, Any], prefix: str = "") -> list[str]:
    """Paths of fields in the JSON's `properties` that the index's mapping lacks."""
    out: list[str] = []
    for name, spec in wanted.items():
        if name not in current:
            out.append(prefix + name)
        elif "properties" in spec:
            out += _new_fields(
                spec["properties"], current[name].get("properties", {}), f"{prefix}{name}."
            )
    return out


def _add_new_fields(es: Elasticsearch, index: str, mappings: dict[str, Any]) -> list[str]:
    """A field added to the JSON of the current version is added to the index in place
    (Elasticsearch merges new fields into a mapping; changing a field's type needs a new
    version). Documents indexed before have no value for it."""
    current = es.indices.get_mapping(index=index)[index]["mappings"].get("properties", {})
    added = _new_fields(mappings["properties"], current)
    if not added:
        return []
    es.indices.put_mapping(index=index, properties=mappings["properties"])
    return [f"added {', '.join(added)} to {index}"]


def _sync_dynamic_settings(es: Elasticsearch, index: str, settings: dict[str, Any]) -> list[str]:
    wanted = {k: settings.get("index", {}).get(k) for k in DYNAMIC_SETTINGS}
    current = es.indices.get_settings(index=index)[index]["settings"]["index"]
    changed = {k: v for k, v in wanted.items() if current.get(k) != v}
    if not changed:
        return []
    es.indices.put_settings(index=index, settings={"index": changed})
    return [f"updated {index} settings {changed}"]


def drop_indices(es: Elasticsearch, prefix: str) -> None:
    """Delete every index under `prefix` (used to clean up isolated test runs)."""
    if not prefix:
        raise ValueError("refusing to drop indices without a prefix")
    # Wildcard deletes are refused by default (action.destructive_requires_name), so name each.
    for logical in LOGICAL_INDICES:
        es.indices.delete(index=names(logical, prefix).concrete, ignore_unavailable=True)
